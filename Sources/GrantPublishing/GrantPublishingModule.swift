/// Placeholder replaced by the publishing module.
public enum GrantPublishingModule {}
