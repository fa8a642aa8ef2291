// Temporary until the full reference parser lands; deleted then.
public struct ImageReference: Sendable, CustomStringConvertible {
    public let description: String
    public var tag: String? { nil }
    public var digest: String? { nil }
    public init(parsing text: String) throws {
        guard !text.isEmpty, !text.contains(" ") else { throw ShimError() }
        description = text
    }
    public static func isValidPathComponent(_ s: String) -> Bool {
        s.range(of: #"^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*$"#, options: .regularExpression) != nil
    }
    struct ShimError: Error, CustomStringConvertible { var description: String { "bad reference" } }
}
import Foundation
