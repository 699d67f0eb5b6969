import Testing
import PolyforgeMesh

@Suite struct TextHelpersTests {
    @Test func trimmingDropsOnlyTheGivenCharactersAtTheEnds() {
        #expect(" \tkey = value \t".trimming(" \t") == "key = value")
        #expect("HTTP/1.1 200 OK\r\n".trimming("\r\n") == "HTTP/1.1 200 OK")   // "\r\n" is one Character
        #expect("--".trimming("-") == "")
        #expect("a b"[...].trimming(" ") == "a b")
    }

    @Test func replacingAllReplacesEveryOccurrence() {
        #expect("say \"hi\"".replacingAll("\"", with: "\"\"") == "say \"\"hi\"\"")
        #expect("tsk_1 and tsk_1".replacingAll("tsk_1", with: "x") == "x and x")
        #expect("abc".replacingAll("", with: "x") == "abc")
        #expect("line\nbreak\n".replacingAll("\n", with: " ") == "line break ")
    }
}
