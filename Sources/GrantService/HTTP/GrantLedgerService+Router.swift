import Foundation
public import Hummingbird
import NIOCore
import LedgerCrypto

extension GrantLedgerService {
    /// The HTTP API (docs/openapi.yaml): each route reads its parameters, calls one operation of the service and
    /// answers its ``ServiceReply``.
    public func router() -> Router<ServiceRequestContext> {
        let router = Router(context: ServiceRequestContext.self)
        router.add(middleware: ServiceMiddleware(service: self))
        @Sendable func reply(_ reply: ServiceReply) -> Response { HTTPReplies.response(reply) }
        @Sendable func log(_ context: ServiceRequestContext) throws(ServiceError) -> String {
            guard let name = context.parameters.get("log") else { throw ServiceError(.notFound, "registre manquant") }
            return name
        }
        @Sendable func query(_ request: Request, _ name: String) -> String? {
            request.uri.queryParameters.get(name)
        }

        router.get("healthz") { _, _ in reply(.text("ok\n")) }
        router.get("metrics") { _, _ in
            reply(
                ServiceReply(contentType: "text/plain; version=0.0.4; charset=utf-8", body: self.metrics.exposition()))
        }
        router.get("openapi.yaml") { _, _ in
            reply(ServiceReply(contentType: "application/yaml", body: try Self.openAPIDocument()))
        }
        router.get("v1/logs") { _, _ in reply(self.listLogs()) }
        router.get("v1/logs/{log}/head") { _, context in reply(try await self.head(log: log(context))) }
        router.post("v1/logs/{log}/entries") { request, context in
            let name = try log(context)
            _ = try self.log(name)
            let body = try await self.readBody(request)
            return reply(try await self.append(log: name, body: body, ifMatch: request.headers[.ifMatch]))
        }
        router.get("v1/logs/{log}/keys") { _, context in reply(try self.keys(log: log(context))) }
        router.get("v1/logs/{log}/applications/{id}") { _, context in
            reply(try await self.application(log: log(context), id: context.parameters.require("id")))
        }
        router.get("v1/logs/{log}/applications/{id}/bundle") { _, context in
            reply(try await self.bundle(log: log(context), id: context.parameters.require("id")))
        }
        router.get("v1/logs/{log}/proof/inclusion") { request, context in
            reply(try await self.inclusionProof(log: log(context), seq: query(request, "seq")))
        }
        router.get("v1/logs/{log}/proof/consistency") { request, context in
            reply(try await self.consistencyProof(log: log(context), from: query(request, "from")))
        }
        router.get("v1/logs/{log}/stats") { request, context in
            reply(
                try await self.stats(
                    log: log(context), call: query(request, "call"), by: query(request, "by"),
                    format: query(request, "format")))
        }
        router.get("v1/logs/{log}/export/scdl.csv") { _, context in
            reply(try await self.scdlExport(log: log(context)))
        }
        router.get("{log}/checkpoint") { _, context in
            reply(try await self.tileResource(log: log(context), path: "checkpoint"))
        }
        router.get("{log}/tile/**") { _, context in
            let rest = context.parameters.getCatchAll().joined(separator: "/")
            return reply(try await self.tileResource(log: log(context), path: "tile/" + rest))
        }
        return router
    }

    /// Reads a request body within the size and time limits.
    func readBody(_ request: Request) async throws(ServiceError) -> [UInt8] {
        let limits = configuration.limits
        let body = request.body
        do {
            return try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
                group.addTask { Array(buffer: try await body.collect(upTo: limits.maxBodyBytes)) }
                group.addTask {
                    try await Task.sleep(for: limits.bodyTimeout)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let bytes = first else {
                    throw ServiceError(
                        .timeout,
                        "le corps de la requête n'est pas arrivé en \(limits.bodyTimeout) : la requête est abandonnée")
                }
                return bytes
            }
        } catch let error as ServiceError {
            throw error
        } catch is NIOTooManyBytesError {
            throw ServiceError(
                .tooLarge, "le corps de la requête dépasse \(limits.maxBodyBytes) octets ; envoyez des lots plus petits"
            )
        } catch {
            throw ServiceError(.badRequest, "le corps de la requête n'a pas pu être lu", underlying: error)
        }
    }

    /// docs/openapi.yaml, as bundled with the service.
    static func openAPIDocument() throws(ServiceError) -> [UInt8] {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml", subdirectory: "Resources"),
            let data = FileManager.default.contents(atPath: url.path)
        else {
            throw ServiceError(.internalFailure, "la description OpenAPI n'est pas installée avec le serveur")
        }
        return Array(data)
    }
}
