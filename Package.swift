// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "GrantLedger",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "grant-ledger", targets: ["grant-ledger"]),
        .executable(name: "grant-ledger-server", targets: ["grant-ledger-server"]),
        .library(name: "LedgerCore", targets: ["LedgerCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // The server's dependencies. None of them reaches the `grant-ledger` product (CI checks it).
        // `traits: []` leaves out swift-configuration and full Foundation from Hummingbird.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.0"),
    ],
    targets: [
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"]), .yum(["openssl-devel"]), .brew(["openssl@3"])]
        ),
        .target(name: "LedgerCrypto", dependencies: ["COpenSSL"]),
        .target(name: "LedgerCore", dependencies: ["LedgerCrypto"]),
        .target(name: "GrantDomain", dependencies: ["LedgerCore", "LedgerCrypto"], resources: [.copy("Resources")]),
        .target(
            name: "GrantPublishing", dependencies: ["GrantDomain", "LedgerCore", "LedgerCrypto"],
            // docs/ pages the site includes (links to the repository's files, embedded in the library's code).
            resources: ["RULES", "FORMAT", "PROOFS", "PUBLISHING"].map { .embedInCode("Documents/\($0).md") }),
        // The PostgreSQL store (docs/SERVICE.md §8): the server's only, never the CLI's.
        .target(
            name: "LedgerPostgres",
            dependencies: [
                "LedgerCore",
                "LedgerCrypto",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "GrantLedgerClient", dependencies: ["GrantDomain", "LedgerCore", "LedgerCrypto"]),
        .target(
            name: "GrantService",
            dependencies: [
                "GrantDomain",
                "GrantPublishing",
                "LedgerCore",
                "LedgerCrypto",
                "LedgerPostgres",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Resources")]
        ),
        .executableTarget(
            name: "grant-ledger",
            dependencies: [
                "LedgerCore",
                "LedgerCrypto",
                "GrantDomain",
                "GrantPublishing",
                "GrantLedgerClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "grant-ledger-server",
            dependencies: [
                "GrantService",
                "LedgerCore",
                "LedgerPostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "grant-ledger-bench",
            dependencies: [
                "LedgerCore", "LedgerCrypto", "GrantDomain", "GrantService", "GrantLedgerClient", "LedgerPostgres",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // What the test targets share: one temporary directory per test process, removed at exit.
        .target(name: "GrantLedgerTestSupport", path: "Tests/GrantLedgerTestSupport"),
        .testTarget(name: "LedgerCryptoTests", dependencies: ["LedgerCrypto"], resources: [.copy("Resources")]),
        .testTarget(name: "LedgerCoreTests", dependencies: ["GrantLedgerTestSupport", "LedgerCore", "LedgerCrypto"], resources: [.copy("Resources")]),
        .testTarget(name: "GrantDomainTests", dependencies: ["GrantLedgerTestSupport", "GrantDomain", "LedgerCore", "LedgerCrypto"]),
        .testTarget(name: "GrantPublishingTests", dependencies: ["GrantLedgerTestSupport", "GrantPublishing", "GrantDomain", "LedgerCore", "LedgerCrypto"], resources: [.copy("Resources")]),
        .testTarget(name: "GrantLedgerCLITests", dependencies: ["GrantLedgerTestSupport", "LedgerCore", "LedgerCrypto", "grant-ledger"]),
        .testTarget(
            name: "GrantServiceTests",
            dependencies: [
                "GrantLedgerTestSupport",
                "GrantService",
                "GrantLedgerClient",
                "GrantDomain",
                "LedgerCore",
                "LedgerCrypto",
                "grant-ledger",
                "grant-ledger-server",
                "LedgerPostgres",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)

for target in package.targets where [.executable, .test, .regular].contains(target.type) {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    target.swiftSettings = settings
}
