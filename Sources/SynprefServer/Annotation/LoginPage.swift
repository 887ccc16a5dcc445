/// The sign-in form. Its CSRF token is a double-submit cookie (there is no session yet).
enum LoginPage {
    static func render(csrf: String, name: String = "", error: String? = nil) -> String {
        AppPage.render(title: "Sign in", user: nil, csrf: nil, error: error, body: """
            <section><h1>Sign in</h1>
            <form id="login-form" method="post" action="/app/login">\(AppPage.csrfField(csrf))
            <label class="field">Name <input id="name" name="name" autocomplete="username" value="\(AppPage.e(name))" required autofocus></label>
            <label class="field">Password <input id="password" name="password" type="password" autocomplete="current-password" required></label>
            <button id="login-submit" type="submit">Sign in</button></form></section>
            """)
    }
}
