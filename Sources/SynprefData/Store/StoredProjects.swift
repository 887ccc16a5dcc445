/// Checks and messages both stores apply to curation projects.
enum StoredProjects {
    static func check(name: String) throws {
        guard !name.isEmpty, name.count <= 100 else { throw StoreError.invalidValue("a curation project needs a name of 1 to 100 characters") }
    }

    static func conflict(_ name: String) -> String {
        "curation project \"\(name)\" already exists with another configuration; a project's configuration never changes: choose a new project name"
    }

    static func unknown(_ name: String) -> String {
        "no curation project \"\(name)\" in the store; create it with `synpref curate init`"
    }
}
