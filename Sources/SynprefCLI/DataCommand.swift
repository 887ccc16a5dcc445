import ArgumentParser

/// `synpref data …`: preference data in and out of a store.
struct DataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Import, validate, deduplicate, decontaminate and export preference data.",
        discussion: """
            Pairs live in a store: SQLite by default (--store sqlite:./synpref.db), or \
            PostgreSQL for many workers (--store postgres://user@host/db). Formats: \
            trl-conversational, trl, openrlhf, rewardbench, hh-rlhf, rmb-pairwise, rmb-bon, \
            jsonl (Synpref's own); JSON Lines or JSON arrays, plain or gzip.
            """,
        subcommands: [DataImportCommand.self, DataExportCommand.self, DataStatsCommand.self, DataDecontaminateCommand.self, DataSplitCommand.self])
}
