import Foundation
import HummingbirdBcrypt
import SynprefCore

/// Password hashing (bcrypt, a slow KDF: cost 12 by default, about a quarter second per
/// check on one core) and the random tokens of sessions and CSRF protection.
public enum Passwords {
    public static let defaultCost: UInt8 = 12
    public static let minimumLength = 8

    /// Checks a new password's length (at least 8 characters, at most bcrypt's 72 bytes).
    public static func check(_ password: String) throws {
        if password.count < minimumLength { throw PasswordError("a password needs at least \(minimumLength) characters") }
        if password.utf8.count > 72 { throw PasswordError("a password may have at most 72 bytes (bcrypt reads no further)") }
    }

    public static func hash(_ password: String, cost: UInt8 = defaultCost) -> String { Bcrypt.hash(password, cost: cost) }

    public static func verify(_ password: String, hash: String) -> Bool { Bcrypt.verify(password, hash: hash) }

    /// 32 random bytes from the system's generator, as hex.
    static func token() -> String {
        var g = SystemRandomNumberGenerator()
        return SHA256.hexString((0..<32).map { _ in UInt8.random(in: 0...255, using: &g) })
    }

    /// What the store keeps of a session token: its SHA-256 (a stolen database does not
    /// give live cookies).
    static func tokenHash(_ token: String) -> String { SHA256.hex(token) }
}

public struct PasswordError: Error, CustomStringConvertible {
    public let description: String
    init(_ d: String) { description = d }
}
