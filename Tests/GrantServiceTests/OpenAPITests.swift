import Foundation
import GrantService
import Hummingbird
import HummingbirdTesting
import LedgerCore
import Testing

/// docs/openapi.yaml against the router: every route is documented, and every example request is answered as the
/// document says (status, media type, and the top-level keys of a one-line JSON example).
@Suite struct OpenAPITests {
    /// What the test reads of the document (its conventions are stated in its `info.description`).
    struct Operation {
        var path: String
        var method: String
        var exampleRequest: String?
        var exampleStatus: Int?
        var requestExample: String?
        var ifMatchExample: String?
        /// Status → (media type, one-line JSON example).
        var responses: [(status: Int, mediaType: String?, example: String?)] = []
    }

    static let document: String = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return try! String(contentsOf: root.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)
    }()

    /// A line scanner for the layout of docs/openapi.yaml: paths at 2 spaces, methods at 4, responses at 8.
    static func operations() -> [Operation] {
        var operations: [Operation] = []
        var path: String? = nil
        var inPaths = false
        var inRequestBody = false
        for raw in document.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw)
            if line == "paths:" { inPaths = true; continue }
            if inPaths, !line.isEmpty, !line.hasPrefix(" ") { inPaths = false }
            guard inPaths else { continue }
            let indent = line.prefix { $0 == " " }.count
            let text = line.trimmingCharacters(in: .whitespaces)
            if indent == 2, text.hasSuffix(":") { path = String(text.dropLast()); continue }
            if indent == 4, let path, ["get:", "post:", "put:", "delete:"].contains(text) {
                operations.append(Operation(path: path, method: String(text.dropLast()).uppercased()))
                inRequestBody = false
                continue
            }
            guard !operations.isEmpty else { continue }
            if indent == 6 {
                inRequestBody = text.hasPrefix("requestBody:")
                if text.hasPrefix("x-example-request: ") {
                    operations[operations.count - 1].exampleRequest = String(
                        text.dropFirst("x-example-request: ".count))
                }
                if text.hasPrefix("x-example-status: ") {
                    operations[operations.count - 1].exampleStatus = Int(text.dropFirst("x-example-status: ".count))
                }
            }
            if indent == 10, text.hasPrefix("example: '\"") {
                operations[operations.count - 1].ifMatchExample = String(text.dropFirst("example: '".count).dropLast())
            }
            if inRequestBody, indent == 12, text.hasPrefix("example: ") {
                var example = String(text.dropFirst("example: ".count))
                if example.hasPrefix("'"), example.hasSuffix("'") {
                    example = String(example.dropFirst().dropLast()).replacingOccurrences(of: "''", with: "'")
                }
                operations[operations.count - 1].requestExample = example
            }
            if !inRequestBody, indent == 8, text.count >= 6, text.hasPrefix("'"),
                let status = Int(text.dropFirst().prefix(3))
            {
                operations[operations.count - 1].responses.append((status, nil, nil))
            }
            if !inRequestBody, indent == 12, text.hasSuffix(":"), text.contains("/"),
                !operations[operations.count - 1].responses.isEmpty
            {
                operations[operations.count - 1].responses[operations[operations.count - 1].responses.count - 1]
                    .mediaType = String(text.dropLast())
            }
            if !inRequestBody, indent == 14, text.hasPrefix("example: {"),
                !operations[operations.count - 1].responses.isEmpty
            {
                operations[operations.count - 1].responses[operations[operations.count - 1].responses.count - 1]
                    .example = String(text.dropFirst("example: ".count))
            }
        }
        return operations
    }

    /// The router's `/{log}/tile/**` is the document's `/{log}/tile/{tile}`.
    static func documented(_ routerPath: String) -> String {
        routerPath.replacingOccurrences(of: "/**", with: "/{tile}")
    }

    @Test func everyRouteIsDocumentedAndEveryDocumentedPathIsARoute() throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let routes = Set(
            try fixture.service().router().routes.map { "\($0.method.rawValue) \(Self.documented("\($0.path)"))" })
        let documented = Set(Self.operations().map { "\($0.method) \($0.path)" })
        #expect(!routes.isEmpty)
        #expect(routes.subtracting(documented).isEmpty, "routes missing from docs/openapi.yaml")
        #expect(documented.subtracting(routes).isEmpty, "documented operations that are not routes")
    }

    @Test func everyExampleIsAnsweredAsDocumented() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let service = try fixture.service()
        let operations = Self.operations()
        #expect(operations.count >= 15)
        try await Application(router: service.router()).test(.router) { client in
            for operation in operations {
                let request = try #require(operation.exampleRequest, "\(operation.path) has no x-example-request")
                let expected = operation.exampleStatus ?? operation.responses.first?.status ?? 0
                var headers = HTTPFields()
                if let tag = operation.ifMatchExample { headers[.ifMatch] = tag }
                let body = operation.requestExample.map { ByteBuffer(string: $0) }
                try await client.execute(
                    uri: request, method: HTTPRequest.Method(operation.method)!, headers: headers, body: body
                ) { response in
                    #expect(Int(response.status.code) == expected, "\(operation.method) \(request)")
                    let documented = operation.responses.first { $0.status == expected }
                    if let mediaType = documented?.mediaType {
                        #expect(
                            response.headers[.contentType]?.hasPrefix(mediaType) == true,
                            "\(request): \(response.headers[.contentType] ?? "") is not \(mediaType)")
                    }
                    if let example = documented?.example {
                        let keys = Set((try JSONParser.parse(example)).objectValue.map { Array($0.keys) } ?? [])
                        let answered = Set(response.json.objectValue.map { Array($0.keys) } ?? [])
                        #expect(answered == keys, "\(request): keys \(answered.sorted()) documented \(keys.sorted())")
                    }
                }
            }
        }
    }
}
