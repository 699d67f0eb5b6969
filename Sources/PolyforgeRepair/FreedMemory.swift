/// glibc's `mallopt` (malloc.h is not part of Swift's Glibc module).
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32

public enum FreedMemory {
    /// Keeps freed blocks in the heap for the rest of the process.
    ///
    /// The repair kernels allocate their scratch (about 100 bytes a triangle) once per call. glibc serves blocks
    /// that large with fresh mmaps and unmaps them on free, so every call pays its page faults again: about half
    /// the kernel time on a 1M-triangle mesh. With the mmap threshold raised and trimming off, the next kernel
    /// reuses the same pages. Process-wide: for command-line runs and benchmarks, not for a library's callers.
    public static func keepInHeap() {
        #if os(Linux)
        _ = glibcMallopt(-3 /* M_MMAP_THRESHOLD */, 1 << 30)
        _ = glibcMallopt(-1 /* M_TRIM_THRESHOLD */, Int32.max)
        #endif
    }
}
