import Testing
@testable import SynprefText
