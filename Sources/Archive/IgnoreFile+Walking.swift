extension IgnoreFile {
    /// Whether a directory walk keeps `relativePath`, for `DirectoryWalker.filter`.
    ///
    /// A file is kept unless excluded. A directory is kept, and walked into,
    /// when it is not excluded or an exception may re-include something below
    /// it (`mayContainIncludedPaths(directory:)`); the walk then keeps only the
    /// paths under it that are not excluded.
    ///
    /// - Parameters:
    ///   - relativePath: A slash-separated path relative to the context root.
    ///   - isDirectory: Whether it is a directory.
    public func keepsInWalk(_ relativePath: String, isDirectory: Bool) -> Bool {
        isDirectory ? mayContainIncludedPaths(directory: relativePath) : !isExcluded(relativePath, isDirectory: false)
    }
}
