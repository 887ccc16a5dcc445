import SynprefCLI

await SynprefMain.run()
