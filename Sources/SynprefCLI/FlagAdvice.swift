import ArgumentParser
import SynprefData
import SynprefEval
import SynprefModels
import SynprefTraining

/// Library errors say what is wrong in library terms ("the maximum length", "skip invalid
/// records"); on the command line the same errors name the flag that fixes them. One table
/// here, used by every command and by the top level.
enum FlagAdvice {
    static let trainingFlags: [TrainingSetting: String] = [
        .learningRate: "--lr", .batchSize: "--batch-size", .microBatchTokens: "--micro-batch-tokens",
        .epochs: "--epochs", .maxSteps: "--max-steps", .warmupSteps: "--warmup-steps", .warmupRatio: "--warmup-ratio",
        .weightDecay: "--weight-decay", .adamBeta1: "--adam-beta1", .adamBeta2: "--adam-beta2", .adamEps: "--adam-eps",
        .clipNorm: "--clip-norm", .centerCoefficient: "--center-coef", .evalEvery: "--eval-every",
        .saveEvery: "--save-every", .threads: "--threads", .maxLength: "--max-length", .loraRank: "--lora-rank",
        .freezeBackbone: "--freeze-backbone", .trainPooler: "--train-pooler", .heldOutFraction: "--held-out", .validationFraction: "--validation",
    ]

    static func flag(_ setting: TrainingSetting) -> String { trainingFlags[setting] ?? setting.rawValue }

    /// The error's message as the command line gives it.
    static func describe(_ error: any Error) -> String {
        switch error {
        case let e as TextFrontEndError:
            switch e {
            case .tooLong(let id, let length, let max, let byPositions):
                let name = TextFrontEndError.name(id)
                if byPositions {
                    return "\(name) is \(length) tokens, but the model reads at most \(max) positions (max_position_embeddings); "
                        + "give --truncate left (keep the end) or --truncate right (keep the start)"
                }
                return "\(name) is \(length) tokens, longer than --max-length \(max); "
                    + "give --truncate left (keep the end) or --truncate right (keep the start), or raise --max-length"
            case .cannotTruncate(let id, let max, let specials):
                return "\(TextFrontEndError.name(id)): --max-length \(max) leaves no room for text after the \(specials) special tokens the tokenizer adds"
            default:
                return e.description
            }
        case let e as TrainingError:
            switch e {
            case .invalidSetting(let setting, let reason):
                return "\(flag(setting)): \(reason)"
            case .tooLong(let file, let line, let field, let length, let limit):
                return "\(file):\(line): \(field) has \(length) tokens but the model reads at most \(limit) positions; "
                    + "pass --max-length \(limit) with --over-length drop or truncate"
            case .noPairsLeft(let file, let dropped, let maxLength):
                return "\(file): all \(dropped) pairs are longer than --max-length \(maxLength) and were dropped; "
                    + "raise --max-length or use --over-length truncate"
            default:
                return e.description
            }
        case let e as PreferenceSplitError:
            switch e {
            case .invalidFraction(let settings, let value):
                return "\(settings.map(flag).joined(separator: " + ")) is \(value); fractions must be at least 0 and together below 1"
            case .invalidRecords, .cannotEncode:
                return e.description + (e.isInvalidRecords ? " (--on-error skip)" : " (--format)")
            default:
                return e.description
            }
        case let e as ImportError:
            if case .invalidRecords = e { return e.description + " (--on-error skip)" }
            return e.description
        case let e as FormatDetectionError:
            return e.description + " with --format"
        case let e as EvalError:
            if case .missingScores = e {
                return e.description + " (--dump-requests writes the request file; --scores reads the scores)"
            }
            return e.description
        default:
            return String(describing: error)
        }
    }

    /// `error` with the command line's message, for the top level to print.
    static func advised(_ error: any Error) -> any Error {
        switch error {
        case is TextFrontEndError, is TrainingError, is PreferenceSplitError, is ImportError, is FormatDetectionError,
             is EvalError:
            return AdvisedError(description: describe(error))
        default:
            return error
        }
    }
}

/// A library error worded for the command line.
struct AdvisedError: Error, CustomStringConvertible {
    let description: String
}

extension PreferenceSplitError {
    fileprivate var isInvalidRecords: Bool {
        if case .invalidRecords = self { return true }
        return false
    }
}
