import CSynprefHash
import Testing
@testable import SynprefCore

/// Test vectors from FIPS 180-4 / NIST CSHS examples.
@Suite(.serialized) struct SHA256Tests {
    /// Runs `body` with the SHA-NI path (when the CPU has it) and with the portable one.
    func withBothPaths(_ body: () -> Void) {
        synpref_sha256_force_portable(0)
        body()
        synpref_sha256_force_portable(1)
        defer { synpref_sha256_force_portable(0) }
        body()
    }

    @Test func nistVectorsOnBothPaths() {
        withBothPaths { nistVectors() }
        withBothPaths { incrementalUpdatesMatchOneShot() }
        // Lengths around the padding boundaries (55, 56, 63, 64, 65 bytes): both paths agree.
        for n in [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000] {
            let text = String(repeating: "x", count: n)
            synpref_sha256_force_portable(1)
            let portable = SHA256.hex(text)
            synpref_sha256_force_portable(0)
            #expect(SHA256.hex(text) == portable, "length \(n)")
        }
    }

    @Test func nistVectors() {
        #expect(SHA256.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hex(String(repeating: "a", count: 1_000_000))
            == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func incrementalUpdatesMatchOneShot() {
        let text = String(repeating: "Synpref 🧪 ", count: 300)
        var hasher = SHA256()
        let bytes = Array(text.utf8)
        hasher.update(bytes[0..<7])
        hasher.update(String(decoding: bytes[7..<200], as: UTF8.self))
        hasher.update(bytes[200...])
        #expect(SHA256.hexString(hasher.finalize()) == SHA256.hex(text))
    }

    @Test func chunkedUpdatesOfAnyShapeMatchOneShot() {
        var state: UInt64 = 0x9E3779B97F4A7C15
        let data: [UInt8] = (0..<200_003).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
        let whole = SHA256.hex(data)
        var hasher = SHA256()
        var i = 0, step = 1
        while i < data.count {
            let j = min(data.count, i + step)
            if step % 2 == 0 { hasher.update(data[i..<j]) } else { hasher.update(AnySequence(data[i..<j])) }
            i = j
            step = step * 3 % 257 + 1
        }
        #expect(SHA256.hexString(hasher.finalize()) == whole)
    }
}
