import CCurl
import Testing

/// Smoke test of the on-demand libcurl: it loads, reports its version, and an easy handle can be created and released.
@Suite struct SystemLibraryTests {
    @Test func curlLoadsOnDemandAndCreatesAHandle() {
        #expect(ccurl_available() == 1, "\(ccurl_load_error().map { String(cString: $0) } ?? "")")
        #expect(ccurl_load_error() == nil)
        let info = ccurl_version_info()
        #expect(info != nil)
        if let version = info?.pointee.version {
            #expect(!String(cString: version).isEmpty)
        }
        let handle = ccurl_easy_init()
        #expect(handle != nil)
        ccurl_easy_cleanup(handle)
    }
}
