/// The Skywork-Reward-V2 paper's results table, kept as data so reports can put a model's
/// numbers next to it.
///
/// Source: Liu et al., "Skywork-Reward-V2: Scaling Preference Data Curation via Human-AI
/// Synergy", arXiv 2507.01352 (2025), main results table.
/// JudgeBench there is the macro average of Knowledge/Reasoning/Math/Coding.
public enum SkyworkRewardV2Table {
    public static let source =
        "Skywork-Reward-V2 (Liu et al., 2025, arXiv 2507.01352), main results table"
    public static let columns = ["RB1", "RB2", "PPE Pref", "PPE Corr", "RMB", "RM-Bench", "JudgeBench"]
    /// Benchmark titles of the columns, for headers.
    public static let columnTitles = ["RewardBench", "RewardBench 2", "PPE Preference", "PPE Correctness", "RMB", "RM-Bench", "JudgeBench"]

    public struct Row: Sendable {
        public var model: String
        /// One value per column, then the paper's average.
        public var values: [Double]
        public var average: Double
    }

    public static let rows: [Row] = [
        Row(model: "Skywork-Reward-V2-Qwen3-0.6B", values: [85.2, 61.3, 65.3, 68.3, 74.5, 74.4, 67.6], average: 70.9),
        Row(model: "Skywork-Reward-V2-Qwen3-1.7B", values: [90.3, 68.3, 67.6, 70.5, 78.1, 78.7, 72.9], average: 75.2),
        Row(model: "Skywork-Reward-V2-Qwen3-4B", values: [93.4, 75.5, 69.5, 74.7, 80.6, 81.6, 69.3], average: 77.8),
        Row(model: "Skywork-Reward-V2-Qwen3-8B", values: [93.7, 78.2, 70.6, 75.1, 81.2, 82.6, 73.4], average: 79.3),
        Row(model: "Skywork-Reward-V2-Llama-3.2-1B", values: [89.9, 64.3, 66.6, 67.4, 76.7, 76.4, 65.0], average: 72.3),
        Row(model: "Skywork-Reward-V2-Llama-3.2-3B", values: [93.0, 74.7, 69.1, 72.1, 80.5, 81.1, 69.2], average: 77.1),
        Row(model: "Skywork-Reward-V2-Llama-3.1-8B", values: [96.4, 84.1, 77.3, 83.4, 86.4, 92.8, 80.0], average: 85.7),
        Row(model: "Skywork-Reward-V2-Llama-3.1-8B-40M", values: [97.8, 86.5, 79.8, 87.2, 89.3, 96.0, 83.4], average: 88.6),
        Row(model: "INF-ORM-Llama3.1-70B (prior best open)", values: [95.1, 76.5, 64.2, 64.4, 70.5, 73.8, 70.2], average: 73.5),
    ]

    /// RM-Bench easy / normal / hard for Skywork-Reward-V2-Llama-3.1-8B.
    public static let rmBenchLlama8B = (easy: 97.0, normal: 95.0, hard: 86.5)
}
