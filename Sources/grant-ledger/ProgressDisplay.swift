import ArgumentParser
import Foundation
import GrantDomain
import LedgerCore
import Synchronization

/// `--quiet`, for the commands that show their progress.
struct ProgressOptions: ParsableArguments {
    @Flag(name: .shortAndLong, help: "Ne pas afficher l'avancement sur la sortie d'erreur.") var quiet = false

    /// Runs `body` showing the progress of the libraries' long passes on stderr, when it is a terminal and
    /// `--quiet` is not given: one line rewritten in place (entries, entries per second, and the remaining time
    /// when the end is known), erased at the end.
    func showing<T>(_ label: String, _ body: () throws -> T) rethrows -> T {
        guard !quiet, Terminal.isTerminal(2) else { return try body() }
        let display = ProgressDisplay(label: label)
        ProgressObserver.install { display.show($0) }
        defer {
            ProgressObserver.remove()
            display.erase()
        }
        return try body()
    }
}

/// The line on stderr. Reports come from the thread running the pass; the lock only orders them with `erase`.
final class ProgressDisplay: Sendable {
    private struct State {
        var last: Double = 0
        var shown = false
    }

    private let label: String
    private let start = ProgressDisplay.seconds()
    private let state = Mutex(State())

    init(label: String) {
        self.label = label
    }

    static func seconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    func show(_ report: ProgressReport) {
        let now = ProgressDisplay.seconds()
        let elapsed = now - start
        state.withLock { state in
            guard now - state.last >= 0.25, elapsed > 0 else { return }
            state.last = now
            state.shown = true
            let rate = Double(report.entries) / elapsed
            var text = "\(label) : \(FrenchFormat.quantity(report.entries, "entrée", "entrées")), "
            text += "\(FrenchFormat.integer(Int64(rate))) entrées/s"
            if let fraction = report.fraction, fraction > 0 {
                let remaining = elapsed * (1 - fraction) / fraction
                text += ", \(Int(fraction * 100)) %, reste \(ProgressDisplay.duration(remaining))"
            }
            ProgressDisplay.write("\r\u{1B}[K" + text)
        }
    }

    func erase() {
        state.withLock { state in
            if state.shown { ProgressDisplay.write("\r\u{1B}[K") }
            state.shown = false
        }
    }

    /// `42 s`, `3 min 05 s`, `1 h 02 min`.
    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        if total < 60 { return "\(total) s" }
        if total < 3600 { return "\(total / 60) min \(String(format: "%02d", total % 60)) s" }
        return "\(total / 3600) h \(String(format: "%02d", total % 3600 / 60)) min"
    }

    private static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
