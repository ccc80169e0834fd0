public import Hummingbird
public import NIOCore

/// The request context of the service's router: Hummingbird's core context and the client's address, by which
/// concurrent requests are limited.
public struct ServiceRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = CoreRequestContextStorage(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }

    /// Bodies are read by the routes themselves, up to ``ServiceLimits/maxBodyBytes``.
    public var maxUploadSize: Int { 8 << 20 }
}
