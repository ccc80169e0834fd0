// swift-tools-version:6.0
// libFuzzer targets for every parser of untrusted input (docs/FUZZING.md). A separate package, so that the main
// build never builds it: `Sources/` links the main package's modules (symbolic links to ../Sources/*) and
// compiles them with the fuzzer's coverage instrumentation.
import PackageDescription

let targets = [
    "FuzzEntry", "FuzzReplay", "FuzzJSON", "FuzzCSV", "FuzzKeys", "FuzzNote", "FuzzProof", "FuzzBundle",
    "FuzzStatsCheck", "FuzzIdentifiers",
]

let package = Package(
    name: "GrantLedgerFuzz",
    platforms: [.macOS(.v15)],
    targets: [
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto"),
        .target(name: "LedgerCrypto", dependencies: ["COpenSSL"]),
        .target(name: "LedgerCore", dependencies: ["LedgerCrypto"]),
        .target(name: "GrantDomain", dependencies: ["LedgerCore", "LedgerCrypto"], resources: [.copy("Resources")]),
        .target(name: "GrantPublishing", dependencies: ["GrantDomain", "LedgerCore", "LedgerCrypto"]),
        .target(name: "FuzzSupport", dependencies: ["GrantDomain", "GrantPublishing", "LedgerCore", "LedgerCrypto"]),
    ]
        + targets.map { name in
            .executableTarget(
                name: name, dependencies: ["FuzzSupport", "GrantDomain", "GrantPublishing", "LedgerCore", "LedgerCrypto"],
                swiftSettings: [.unsafeFlags(["-parse-as-library"])])
        },
    swiftLanguageModes: [.v6]
)
