import SynprefTensor

/// The architectures Synpref runs. `config.json`'s `architectures[0]` selects one.
public enum ArchitectureKind: String, Sendable, CaseIterable {
    case qwen3ForSequenceClassification = "Qwen3ForSequenceClassification"
    case llamaForSequenceClassification = "LlamaForSequenceClassification"
    case bertForSequenceClassification = "BertForSequenceClassification"
    /// A bare encoder (e.g. sentence-transformers' all-MiniLM-L6-v2): embeddings only.
    case bertModel = "BertModel"
}

/// Llama 3 rope scaling (`rope_type: "llama3"`).
public struct Llama3RopeScaling: Sendable, Hashable {
    public var factor: Double
    public var lowFreqFactor: Double
    public var highFreqFactor: Double
    public var originalMaxPositionEmbeddings: Int

    public init(factor: Double, lowFreqFactor: Double, highFreqFactor: Double, originalMaxPositionEmbeddings: Int) {
        self.factor = factor
        self.lowFreqFactor = lowFreqFactor
        self.highFreqFactor = highFreqFactor
        self.originalMaxPositionEmbeddings = originalMaxPositionEmbeddings
    }
}

/// A decoder-only transformer (Qwen3, Llama) with a linear score head, as in config.json.
/// Both transformers-4 (`torch_dtype`, `rope_theta`, `rope_scaling`) and transformers-5
/// (`dtype`, `rope_parameters`) layouts parse into this one struct.
public struct DecoderConfig: Sendable, Hashable {
    public var architecture: ArchitectureKind
    public var vocabSize: Int
    public var hiddenSize: Int
    public var intermediateSize: Int
    public var numHiddenLayers: Int
    public var numAttentionHeads: Int
    public var numKeyValueHeads: Int
    public var headDim: Int
    public var rmsNormEps: Double
    public var ropeTheta: Double
    public var ropeScaling: Llama3RopeScaling?
    public var attentionBias: Bool
    public var mlpBias: Bool
    public var tieWordEmbeddings: Bool
    public var maxPositionEmbeddings: Int
    public var padTokenId: Int?
    public var numLabels: Int
    /// The dtype the checkpoint declares (`torch_dtype` / `dtype`), if any.
    public var dtype: DType?

    public init(
        architecture: ArchitectureKind, vocabSize: Int, hiddenSize: Int, intermediateSize: Int,
        numHiddenLayers: Int, numAttentionHeads: Int, numKeyValueHeads: Int, headDim: Int,
        rmsNormEps: Double, ropeTheta: Double, ropeScaling: Llama3RopeScaling? = nil,
        attentionBias: Bool = false, mlpBias: Bool = false, tieWordEmbeddings: Bool = false,
        maxPositionEmbeddings: Int, padTokenId: Int? = nil, numLabels: Int = 1, dtype: DType? = nil
    ) {
        self.architecture = architecture
        self.vocabSize = vocabSize
        self.hiddenSize = hiddenSize
        self.intermediateSize = intermediateSize
        self.numHiddenLayers = numHiddenLayers
        self.numAttentionHeads = numAttentionHeads
        self.numKeyValueHeads = numKeyValueHeads
        self.headDim = headDim
        self.rmsNormEps = rmsNormEps
        self.ropeTheta = ropeTheta
        self.ropeScaling = ropeScaling
        self.attentionBias = attentionBias
        self.mlpBias = mlpBias
        self.tieWordEmbeddings = tieWordEmbeddings
        self.maxPositionEmbeddings = maxPositionEmbeddings
        self.padTokenId = padTokenId
        self.numLabels = numLabels
        self.dtype = dtype
    }
}

/// A BERT encoder (`BertModel` or `BertForSequenceClassification`), as in config.json.
public struct BertConfig: Sendable, Hashable {
    public var architecture: ArchitectureKind
    public var vocabSize: Int
    public var hiddenSize: Int
    public var numHiddenLayers: Int
    public var numAttentionHeads: Int
    public var intermediateSize: Int
    /// "gelu" (erf form, as transformers' BERT uses) is the supported activation.
    public var hiddenAct: String
    public var maxPositionEmbeddings: Int
    public var typeVocabSize: Int
    public var layerNormEps: Double
    public var padTokenId: Int?
    public var numLabels: Int
    public var dtype: DType?

    public init(
        architecture: ArchitectureKind, vocabSize: Int, hiddenSize: Int, numHiddenLayers: Int,
        numAttentionHeads: Int, intermediateSize: Int, hiddenAct: String = "gelu",
        maxPositionEmbeddings: Int, typeVocabSize: Int = 2, layerNormEps: Double = 1e-12,
        padTokenId: Int? = 0, numLabels: Int = 1, dtype: DType? = nil
    ) {
        self.architecture = architecture
        self.vocabSize = vocabSize
        self.hiddenSize = hiddenSize
        self.numHiddenLayers = numHiddenLayers
        self.numAttentionHeads = numAttentionHeads
        self.intermediateSize = intermediateSize
        self.hiddenAct = hiddenAct
        self.maxPositionEmbeddings = maxPositionEmbeddings
        self.typeVocabSize = typeVocabSize
        self.layerNormEps = layerNormEps
        self.padTokenId = padTokenId
        self.numLabels = numLabels
        self.dtype = dtype
    }
}

/// A parsed config.json.
public enum ModelConfig: Sendable, Hashable {
    case decoder(DecoderConfig)
    case bert(BertConfig)
}
