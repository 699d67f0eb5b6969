/// glibc's `mallopt` (malloc.h is not part of Swift's Glibc module).
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32

enum FreedMemory {
    /// Keeps freed blocks in the heap for the rest of the process.
    ///
    /// Kernels allocate their scratch (about 100 bytes a triangle) once per call, and readers allocate whole
    /// attribute arrays. glibc serves blocks that large with fresh mmaps and unmaps them on free, so every call pays
    /// its page faults again, and with two worker threads every munmap also costs a TLB shootdown: `qc --jobs 2`
    /// spent as much time in the kernel as in our code. With the mmap threshold raised and trimming off, the next
    /// allocation reuses the same pages. Process-wide, so it is set by the command-line tool, not by the libraries.
    static func keepInHeap() {
        #if os(Linux)
        _ = glibcMallopt(-3 /* M_MMAP_THRESHOLD */, 1 << 30)
        _ = glibcMallopt(-1 /* M_TRIM_THRESHOLD */, Int32.max)
        #endif
    }
}
