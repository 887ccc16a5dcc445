import SynprefCore
import SynprefModels
import SynprefTraining
@testable import SynprefCLI
import Testing

/// The one progress line: count, total, rate, percentage, ETA and elapsed time.
@Suite struct ProgressLineTests {
    @Test func aCountWithATotalShowsRatePercentageAndETA() {
        let text = ProgressLine.describe(ProgressEvent(task: "scoring", completed: 250, total: 1000, unit: "responses"),
                                         elapsed: 10, fraction: nil)
        #expect(text == "scoring: 250/1000 responses, 25 responses/s, 25.0%, ETA 30s, 10s elapsed")
    }

    /// Bytes read give the fraction done when the count has no total (data import).
    @Test func theBytesFractionGivesTheETAOfACount() {
        let text = ProgressLine.describe(ProgressEvent(task: "import", completed: 5000, total: nil, unit: "pairs"),
                                         elapsed: 100, fraction: 0.5)
        #expect(text == "import: 5000 pairs, 50 pairs/s, 50.0%, ETA 1m40s, 1m40s elapsed")
    }

    @Test func downloadsAreShownInMegabytes() {
        let text = ProgressLine.describe(ProgressEvent(task: "model.safetensors", completed: 50_000_000, total: 200_000_000, unit: "B"),
                                         elapsed: 5, fraction: nil)
        #expect(text == "model.safetensors: 50.0 MB/200.0 MB, 10.0 MB/s, 25.0%, ETA 15s, 5s elapsed")
    }

    /// In its first second a task shows no rate or ETA (too little to go on).
    @Test func aFreshTaskShowsOnlyItsCount() {
        let text = ProgressLine.describe(ProgressEvent(task: "train", completed: 1, total: 10, unit: "steps"), elapsed: 0.2, fraction: nil)
        #expect(text == "train: 1/10 steps, 10.0%")
    }

    @Test func durations() {
        #expect(ProgressLine.duration(59.4) == "59s")
        #expect(ProgressLine.duration(61) == "1m01s")
        #expect(ProgressLine.duration(3 * 3600 + 5 * 60) == "3h05m")
    }
}

/// Library errors name settings in library terms; the command line names the flag.
@Suite struct FlagAdviceTests {
    @Test func everyTrainingSettingHasAFlag() {
        for setting in TrainingSetting.allCases {
            let flag = FlagAdvice.flag(setting)
            #expect(flag.hasPrefix("--"), "\(setting) has no flag")
            #expect(FlagAdvice.describe(TrainingError.invalidSetting(setting, reason: "must be at least 1")) == "\(flag): must be at least 1")
        }
    }

    @Test func tooLongConversationsNameTheTruncationFlags() {
        let e = TextFrontEndError.tooLong(id: "c1", length: 9, maxLength: 4, positionLimited: false)
        #expect(!e.description.contains("--"))
        #expect(FlagAdvice.describe(e) == #"conversation "c1" is 9 tokens, longer than --max-length 4; give --truncate left (keep the end) or --truncate right (keep the start), or raise --max-length"#)
    }
}
