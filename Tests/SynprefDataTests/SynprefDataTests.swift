import Testing
@testable import SynprefData
