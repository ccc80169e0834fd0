import ArgumentParser

@main
struct GrantLedger: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grant-ledger",
        abstract: "A tamper-evident, signed, hash-chained ledger of public grant decisions.",
        discussion: """
            The ledger is a directory (default ./events, or --ledger DIR, or GRANT_LEDGER). Exit codes: 0 success; \
            1 refused by a rule, or verification found problems; 2 unusable input.
            """,
        subcommands: [
            Demo.self, Init.self, KeyCommand.self, Append.self, Log.self, Verify.self, Repair.self,
            CallCommand.self, ApplicationCommand.self, Score.self, Decide.self, Pay.self, Withdraw.self, Show.self,
            Status.self,
            Import.self, Explain.self,
            Stats.self, Export.self, Publish.self,
            CheckpointCommand.self, Prove.self, VerifyProof.self, Witness.self,
            BundleCommand.self, VerifyBundle.self, Mirror.self,
        ]
    )
}
