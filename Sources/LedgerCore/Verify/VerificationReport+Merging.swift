extension VerificationReport {
    /// This report with `extra` outcomes added, e.g. the checkpoint checks of ``CheckpointAudit``.
    public func merging(_ extra: RuleOutcomes) -> VerificationReport {
        var outcomes = self.outcomes
        outcomes.merge(extra)
        return VerificationReport(
            entries: entries, signers: signers, headHash: headHash, headSeq: headSeq, tornBytes: tornBytes,
            outcomes: outcomes, signaturesChecked: signaturesChecked)
    }
}
