import LedgerCore
import Prometheus
import LedgerCrypto

/// What `/metrics` exposes, in the Prometheus text format: appends, refusals by rule, and latencies.
///
/// One registry per service (not the process-wide metrics system), so that several services in one process —
/// tests, the benchmark — keep their own counts.
public final class ServiceMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    /// Latency buckets, from a page-cache read to a slow `fsync`.
    static let buckets: [Duration] = [
        .microseconds(250), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
        .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .seconds(1), .seconds(5),
    ]

    init() {}

    private static func name(_ metric: String, unit: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "grantledger", metricName: metric, unitName: unit, helpText: help)
    }

    /// An acknowledged append of `entries` entries (0 for an identical resend), and how long it took.
    func recordAppend(log: String, entries: Int, since start: ContinuousClock.Instant) {
        registry.makeCounter(
            descriptor: Self.name("appended_entries", unit: "total", help: "Entrées ajoutées et acquittées."),
            labels: [("log", log)]
        ).increment(by: Int64(entries))
        registry.makeCounter(
            descriptor: Self.name("append_requests", unit: "total", help: "Écritures acquittées (201 ou 200)."),
            labels: [("log", log)]
        ).increment()
        registry.makeDurationHistogram(
            descriptor: Self.name("append_duration", unit: "seconds", help: "Durée d'une écriture acquittée."),
            labels: [("log", log)], buckets: Self.buckets
        ).record(ContinuousClock.now - start)
    }

    /// A refused write: by rule for a rule's refusal, by error code otherwise.
    func recordRefusal(log: String, error: ServiceError) {
        registry.makeCounter(
            descriptor: Self.name(
                "refusals", unit: "total", help: "Écritures refusées, par règle ou par code d'erreur."),
            labels: [("log", log), ("rule", error.rule?.rawValue ?? error.code.rawValue)]
        ).increment()
    }

    /// One HTTP request: its route, status and duration.
    func recordRequest(method: String, route: String, status: Int, duration: Duration) {
        registry.makeDurationHistogram(
            descriptor: Self.name("http_request_duration", unit: "seconds", help: "Durée des requêtes HTTP."),
            labels: [("method", method), ("route", route), ("status", String(status))], buckets: Self.buckets
        ).record(duration)
    }

    /// The text exposition (`text/plain; version=0.0.4`).
    public func exposition() -> [UInt8] {
        registry.emitToBuffer()
    }
}
