import HTTPTypes
public import Hummingbird

/// The one translation from a ``ServiceReply`` to a Hummingbird response.
public enum HTTPReplies {
    public static func response(_ reply: ServiceReply) -> Response {
        var fields = HTTPFields()
        fields[.contentType] = reply.contentType
        fields[.contentLength] = String(reply.body.count)
        for (name, value) in reply.headers {
            if let field = HTTPField.Name(name) { fields.append(HTTPField(name: field, value: value)) }
        }
        return Response(
            status: HTTPResponse.Status(code: reply.status), headers: fields,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: reply.body)))
    }
}
