import Testing
@testable import SynprefCLI
