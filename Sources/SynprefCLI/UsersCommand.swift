import ArgumentParser
import Foundation
import SynprefData
import SynprefServer

/// `synpref users add|passwd|set|list`: the annotation app's accounts.
struct UsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users",
        abstract: "Manage the annotation app's accounts (admin, reviewer, annotator).",
        discussion: """
            Accounts live in the store the app serves (`synpref serve --annotation --store URL`). \
            Passwords are stored as bcrypt hashes; give them on standard input \
            (--password-stdin, one line) or in an environment variable (--password-env VAR), \
            or type them at the prompt. Changing a password or disabling an account ends its \
            sessions.
            """,
        subcommands: [UsersAddCommand.self, UsersPasswdCommand.self, UsersSetCommand.self, UsersListCommand.self])
}

/// Where the store is and how the password arrives.
struct UserOptions: ParsableArguments {
    @Option(help: "The store: sqlite:PATH or postgres://...")
    var store: String = PreferenceStores.defaultURL

    @Flag(name: .customLong("password-stdin"), help: "Read the password from the first line of standard input.")
    var passwordStdin = false

    @Option(name: .customLong("password-env"), help: "Read the password from this environment variable.")
    var passwordEnv: String?

    @Option(name: .customLong("bcrypt-cost"), help: "bcrypt cost (work factor) of the stored hash, 4 to 31.")
    var bcryptCost: UInt8 = Passwords.defaultCost

    func validate() throws {
        if passwordStdin && passwordEnv != nil { throw ValidationError("give the password one way: --password-stdin or --password-env") }
        if !(4...31).contains(bcryptCost) { throw ValidationError("--bcrypt-cost must be between 4 and 31") }
    }

    /// The new password, checked, and its hash.
    func passwordHash(for name: String) throws -> String {
        let password: String
        if passwordStdin {
            guard let line = readLine(strippingNewline: true) else { throw ValidationError("--password-stdin: standard input is empty") }
            password = line
        } else if let variable = passwordEnv {
            guard let value = ProcessInfo.processInfo.environment[variable], !value.isEmpty else {
                throw ValidationError("--password-env \(variable): the variable is not set or empty")
            }
            password = value
        } else {
            guard isatty(0) == 1 else { throw ValidationError("no terminal to ask for \(name)'s password: use --password-stdin or --password-env VAR") }
            guard let first = getpass("Password for \(name): ").map({ String(cString: $0) }),
                  let second = getpass("Again: ").map({ String(cString: $0) }) else { throw ValidationError("no password read") }
            guard first == second else { throw ValidationError("the two passwords differ") }
            password = first
        }
        do { try Passwords.check(password) } catch { throw ValidationError("\(error)") }
        return Passwords.hash(password, cost: bcryptCost)
    }
}

struct UsersAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Add an account.")

    @Argument(help: "User name: letters, digits, '.', '_' or '-'.")
    var name: String

    @Option(help: "admin, reviewer or annotator.")
    var role: StoredUser.Role = .annotator

    @OptionGroup var options: UserOptions

    func run() async throws {
        do { try StoredUser.check(name: name) } catch { throw ValidationError("\(error)") }
        let hash = try options.passwordHash(for: name)
        try await withStore(options.store) { store in
            try await store.addUser(StoredUser(name: name, role: role, passwordHash: hash))
        }
        print("added \(role.rawValue) \(name)")
    }
}

struct UsersPasswdCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "passwd", abstract: "Set an account's password (ends its sessions).")

    @Argument(help: "User name.")
    var name: String

    @OptionGroup var options: UserOptions

    func run() async throws {
        let hash = try options.passwordHash(for: name)
        let ended = try await withStore(options.store) { store in
            try await store.updateUser(name: name, role: nil, passwordHash: hash, disabled: nil)
            return try await store.deleteSessions(user: name)
        }
        print("password of \(name) changed; \(ended) session(s) ended")
    }
}

struct UsersSetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "set", abstract: "Change an account's role, or disable or enable it.")

    @Argument(help: "User name.")
    var name: String

    @Option(help: "admin, reviewer or annotator.")
    var role: StoredUser.Role?

    @Flag(help: "Let a disabled account sign in again.")
    var enable = false

    @Flag(help: "Stop an account from signing in (its sessions end).")
    var disable = false

    @Option(help: "The store: sqlite:PATH or postgres://...")
    var store: String = PreferenceStores.defaultURL

    func validate() throws {
        if enable && disable { throw ValidationError("give --enable or --disable, not both") }
        if role == nil && !enable && !disable { throw ValidationError("nothing to change: give --role, --enable or --disable") }
    }

    func run() async throws {
        try await withStore(store) { store in
            try await store.updateUser(name: name, role: role, passwordHash: nil, disabled: disable ? true : (enable ? false : nil))
            if disable { try await store.deleteSessions(user: name) }
        }
        print("updated \(name)")
    }
}

struct UsersListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the accounts.")

    @Option(help: "The store: sqlite:PATH or postgres://...")
    var store: String = PreferenceStores.defaultURL

    func run() async throws {
        let users = try await withStore(store) { try await $0.users() }
        if users.isEmpty {
            print("no users; add one with `synpref users add NAME --role admin`")
            return
        }
        let formatter = ISO8601DateFormatter()
        print("name\trole\tstate\tcreated")
        for u in users {
            print("\(u.name)\t\(u.role.rawValue)\t\(u.disabled ? "disabled" : "active")\t\(u.createdAt.map { formatter.string(from: $0) } ?? "")")
        }
    }
}

extension StoredUser.Role: ExpressibleByArgument {}
