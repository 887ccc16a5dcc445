import Testing
@testable import SynprefJinja
