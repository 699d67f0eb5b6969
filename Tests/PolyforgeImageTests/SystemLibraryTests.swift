import CCurl
import Testing

/// Link smoke test: libcurl resolves and an easy handle can be created and released.
@Suite struct SystemLibraryTests {
    @Test func curlLinksAndCreatesAHandle() {
        // CURLVERSION_NOW is a #define aliasing an enum case, which Swift does not import; on Debian 12's
        // curl 7.88 it is CURLVERSION_ELEVENTH. (A `static const` re-export in Sources/CCurl/shim.h would remove this.)
        let info = curl_version_info(CURLVERSION_ELEVENTH)
        #expect(info != nil)
        if let version = info?.pointee.version {
            #expect(!String(cString: version).isEmpty)
        }
        let handle = curl_easy_init()
        #expect(handle != nil)
        curl_easy_cleanup(handle)
    }
}
