/// The release this build calls itself (`synpref --version`, the server's `/info`).
public enum SynprefVersion {
    public static let string = "0.1.0"
}
