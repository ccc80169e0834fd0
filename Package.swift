// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "GrantLedger",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "grant-ledger", targets: ["grant-ledger"]),
        .library(name: "LedgerCore", targets: ["LedgerCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
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
        .target(name: "GrantPublishing", dependencies: ["GrantDomain", "LedgerCore", "LedgerCrypto"]),
        .executableTarget(
            name: "grant-ledger",
            dependencies: [
                "LedgerCore",
                "LedgerCrypto",
                "GrantDomain",
                "GrantPublishing",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "grant-ledger-bench", dependencies: ["LedgerCore", "LedgerCrypto"]),
        .testTarget(name: "LedgerCryptoTests", dependencies: ["LedgerCrypto"], resources: [.copy("Resources")]),
        .testTarget(name: "LedgerCoreTests", dependencies: ["LedgerCore", "LedgerCrypto"], resources: [.copy("Resources")]),
        .testTarget(name: "GrantDomainTests", dependencies: ["GrantDomain", "LedgerCore", "LedgerCrypto"]),
        .testTarget(name: "GrantPublishingTests", dependencies: ["GrantPublishing", "GrantDomain", "LedgerCore", "LedgerCrypto"], resources: [.copy("Resources")]),
        .testTarget(name: "GrantLedgerCLITests", dependencies: ["LedgerCore", "LedgerCrypto", "grant-ledger"]),
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
