import Hummingbird
import NIOCore
import Synchronization
import LedgerCrypto

/// Answers every error as the documented JSON error body (``ServiceReply/error(_:)``), counts requests by client
/// (429 past ``ServiceLimits/maxConcurrentRequestsPerClient``), and records each request's latency.
struct ServiceMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext
    let service: GrantLedgerService
    let clients = ClientCounter()

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let started = ContinuousClock.now
        let client = context.remoteAddress?.ipAddress ?? "local"
        let response: Response
        if clients.enter(client, limit: service.configuration.limits.maxConcurrentRequestsPerClient) {
            defer { clients.leave(client) }
            response = await Self.answer(request, context: context, next: next)
        } else {
            response = HTTPReplies.response(
                .error(
                    ServiceError(
                        .tooManyRequests,
                        "trop de requêtes simultanées depuis \(client) (au plus \(service.configuration.limits.maxConcurrentRequestsPerClient))"
                    )))
        }
        service.metrics.recordRequest(
            method: request.method.rawValue, route: context.endpointPath ?? "inconnue", status: response.status.code,
            duration: ContinuousClock.now - started)
        return response
    }

    /// The route's response, or the error it threw as the JSON error body.
    static func answer(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as ServiceError {
            return HTTPReplies.response(.error(error))
        } catch let error as HTTPError {
            let code: ServiceError.Code =
                switch error.status.code {
                case 404: .notFound
                case 405: .methodNotAllowed
                case 413: .tooLarge
                default: .http(error.status.code)
                }
            let message =
                switch error.status.code {
                case 404: "aucune ressource à l'adresse \(request.uri.path)"
                case 405: "la méthode \(request.method.rawValue) n'est pas admise sur \(request.uri.path)"
                case 413: "le corps de la requête dépasse la taille admise"
                default: "requête refusée (\(error.status.code))"
                }
            return HTTPReplies.response(.error(ServiceError(code, message, underlying: error)))
        } catch {
            return HTTPReplies.response(
                .error(ServiceError(.internalFailure, "erreur interne du serveur", underlying: error)))
        }
    }
}

/// Requests in progress, per client address.
final class ClientCounter: Sendable {
    private let counts = Mutex<[String: Int]>([:])

    /// Counts one more request from `client`, unless it already has `limit` in progress.
    func enter(_ client: String, limit: Int) -> Bool {
        counts.withLock { counts in
            let current = counts[client, default: 0]
            guard current < limit else { return false }
            counts[client] = current + 1
            return true
        }
    }

    func leave(_ client: String) {
        counts.withLock { counts in
            let current = counts[client, default: 1] - 1
            counts[client] = current > 0 ? current : nil
        }
    }
}
