// The scan covers what git tracks: make the cloned sample a repository of its own (it sits
// under target/, which the enclosing repository ignores).
def git = { String... args ->
  def p = (["git"] + args.toList()).execute(null, basedir)
  p.waitForProcessOutput(System.out, System.err)
  assert p.exitValue() == 0 : "git ${args.join(' ')} failed"
}
git("init", "-q")
git("add", "-A")
return true
