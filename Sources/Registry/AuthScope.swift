/// A token scope such as `repository:news/app:pull,push`: resource type, name and actions.
public struct AuthScope: Hashable, Sendable, CustomStringConvertible {
    /// The resource type (`repository`, `registry`).
    public let resourceType: String
    /// The resource name (`news/app`, `catalog`).
    public let name: String
    /// The actions, in the order first seen (`pull`, `push`, `*`).
    public let actions: [String]

    /// Makes a scope; duplicate actions are dropped.
    public init(resourceType: String, name: String, actions: [String]) {
        self.resourceType = resourceType
        self.name = name
        var seen: [String] = []
        for action in actions where !action.isEmpty && !seen.contains(action) { seen.append(action) }
        self.actions = seen
    }

    /// The pull scope of a repository.
    public static func pull(_ repository: String) -> AuthScope {
        AuthScope(resourceType: "repository", name: repository, actions: ["pull"])
    }

    /// The pull and push scope of a repository.
    public static func push(_ repository: String) -> AuthScope {
        AuthScope(resourceType: "repository", name: repository, actions: ["pull", "push"])
    }

    /// Parses `TYPE:NAME:ACTIONS`; the name may hold colons (a registry host with a port), so the
    /// type ends at the first colon and the actions start after the last. Returns nil otherwise.
    public init?(parsing text: String) {
        guard let first = text.firstIndex(of: ":"), let last = text.lastIndex(of: ":"), first < last else { return nil }
        let type = String(text[..<first])
        let name = String(text[text.index(after: first)..<last])
        let actions = text[text.index(after: last)...].split(separator: ",").map(String.init)
        guard !type.isEmpty, !name.isEmpty else { return nil }
        self.init(resourceType: type, name: name, actions: actions)
    }

    /// `TYPE:NAME:ACTION,ACTION`, as a token server expects it.
    public var description: String { "\(resourceType):\(name):\(actions.joined(separator: ","))" }

    /// Whether this scope grants everything `other` asks for.
    public func covers(_ other: AuthScope) -> Bool {
        resourceType == other.resourceType && name == other.name
            && (actions.contains("*") || other.actions.allSatisfy(actions.contains))
    }

    /// Merges scopes on one resource into one scope with the union of their actions; scopes on
    /// different resources stay apart, in the order first seen.
    public static func merge(_ scopes: [AuthScope]) -> [AuthScope] {
        var merged: [AuthScope] = []
        for scope in scopes {
            if let at = merged.firstIndex(where: { $0.resourceType == scope.resourceType && $0.name == scope.name }) {
                let existing = merged[at]
                merged[at] = AuthScope(resourceType: existing.resourceType, name: existing.name, actions: existing.actions + scope.actions)
            } else {
                merged.append(scope)
            }
        }
        return merged
    }

    /// Merges scope strings; strings that are not `TYPE:NAME:ACTIONS` are kept unchanged at the end.
    public static func merge(_ scopes: [String]) -> [String] {
        let parsed = scopes.compactMap(AuthScope.init(parsing:))
        let unparsed = scopes.filter { AuthScope(parsing: $0) == nil }
        var result: [String] = []
        for scope in merge(parsed).map(\.description) + unparsed where !result.contains(scope) { result.append(scope) }
        return result
    }
}
