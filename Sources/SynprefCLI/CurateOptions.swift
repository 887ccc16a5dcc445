import ArgumentParser
import SynprefData

/// The store and project every `synpref curate` command after `init` works on.
struct CurateOptions: ParsableArguments {
    @Option(help: "The store (sqlite:PATH or postgres://...).")
    var store: String = PreferenceStores.defaultURL

    @Option(help: "The project (default: the store's only one).")
    var project: String?
}
