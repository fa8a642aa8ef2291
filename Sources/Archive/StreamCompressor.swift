/// The compressing stage of a layer: the tar stream goes in, compressed bytes
/// go to the output the compressor was made with, in order, on the caller's thread.
protocol StreamCompressor: AnyObject {
    /// Compresses `bytes`; output may come now or later.
    func write(_ bytes: UnsafeRawBufferPointer) throws
    /// Compresses what is left and writes the end of the compressed stream.
    func finish() throws
}
