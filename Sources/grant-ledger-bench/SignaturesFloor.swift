import Dispatch
import Foundation
import LedgerCore
import LedgerCrypto
import Synchronization

/// What the signatures of a log cost by themselves: every entry's Ed25519 signature checked on all cores through the
/// verifier's own ``Ed25519Verifier`` (one context per key and thread), and nothing else in the timed part. The
/// lines are read and parsed first, untimed, into (key, signed bytes, signature); the child then prints the seconds
/// of the checks alone. Run as a child process (`--child-signatures LEDGER`), beside `verify_full`: the ceiling of a
/// full verification on this machine, for this log's messages (context for the target, not a target).
enum SignaturesFloor {
    private struct Check: Sendable {
        let key: Ed25519PublicKey
        let message: [UInt8]
        let signature: [UInt8]
    }

    static func run(ledger: String, threads: Int) throws {
        let reader = try LedgerStore(directory: ledger).lines()
        var keys = SigningKeys()
        var checks: [Check] = []
        var unparsed = 0
        while let line = reader.next() {
            guard let entry = try? Entry(line: line) else {
                unparsed += 1
                continue
            }
            keys.learn(from: entry)
            guard let key = keys.key(for: entry.actor) else {
                unparsed += 1
                continue
            }
            checks.append(Check(key: key, message: entry.signedBytes, signature: entry.signature))
        }
        if let error = reader.error { throw BenchFailure("cannot read \(ledger): \(error.message)") }

        let valid = Atomic<Int>(0)
        let next = Atomic<Int>(0)
        let slice = 256
        let all = checks
        let started = DispatchTime.now().uptimeNanoseconds
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            let verifier = Ed25519Verifier()
            var count = 0
            while true {
                let start = next.wrappingAdd(slice, ordering: .relaxed).oldValue
                guard start < all.count else { break }
                for check in all[start..<min(start + slice, all.count)]
                where verifier.isValidSignature(check.signature, for: check.message, key: check.key) {
                    count += 1
                }
            }
            valid.wrappingAdd(count, ordering: .relaxed)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        print(
            "signatures=\(all.count) valid=\(valid.load(ordering: .relaxed)) skipped=\(unparsed) threads=\(threads) seconds=\(String(format: "%.3f", seconds))"
        )
    }
}
