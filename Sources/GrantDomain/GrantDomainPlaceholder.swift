public enum GrantDomainPlaceholder {}
