import Testing
@testable import SynprefServer

/// Data text on the app's pages: every character escaped, only the renderer's own markup.
@Suite struct SafeMarkdownTests {
    @Test func markupFromTheDataIsEscaped() {
        let html = SafeMarkdown.render("<script>alert(1)</script> <img src=x onerror=\"f()\"> 'q' & [x](javascript:f())")
        #expect(!html.contains("<script") && !html.contains("<img") && !html.contains("<a "))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("onerror=&quot;f()&quot;") && html.contains("&#39;q&#39; &amp; [x](javascript:f())"))
    }

    @Test func theSubsetRenders() {
        #expect(SafeMarkdown.render("one\ntwo\n\nthree") == "<p>one<br>two</p><p>three</p>")
        #expect(SafeMarkdown.render("```\nlet x = a < b\n```") == "<pre><code>let x = a &lt; b</code></pre>")
        #expect(SafeMarkdown.render("use `a<b` and **bold** and *it*") == "<p>use <code>a&lt;b</code> and <strong>bold</strong> and <em>it</em></p>")
        #expect(SafeMarkdown.render("- a\n- b") == "<ul><li>a</li><li>b</li></ul>")
        #expect(SafeMarkdown.render("# Title") == "<p class=\"md-heading\"><strong>Title</strong></p>")
        // An unclosed fence keeps its text as code; a lone star stays a star.
        #expect(SafeMarkdown.render("```\nx") == "<pre><code>x</code></pre>")
        #expect(SafeMarkdown.render("2 * 3 = 6") == "<p>2 * 3 = 6</p>")
    }

    @Test func formsAndCookiesParse() {
        let f = FormBody("a=1&b=x+y%21&c=&a=2&bad=%zz")
        #expect(f["a"] == "1" && f.all("a") == ["1", "2"] && f["b"] == "x y!" && f["c"] == "" && f["bad"] == "%zz" && f["none"] == nil)
        #expect(CookieHeader.parse("x=1; synpref_session=abc ; y=2") == ["x": "1", "synpref_session": "abc", "y": "2"])
        #expect(CookieHeader.set("s", "v", maxAge: 60, secure: true) == "s=v; Path=/; Max-Age=60; HttpOnly; SameSite=Strict; Secure")
    }
}
