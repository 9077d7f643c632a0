def log = new File(basedir, "build.log").text
assert log.contains("prodguard:" ) && log.contains(":check (default-cli)") : "the check goal did not run"
assert log.contains("[G3 early URL refusal]") : "no G3 refusal in the log"
assert log.contains("db1.prod.internal") : "the refusal does not name the host"
assert !log.contains("s3cr3t-pw") : "the password reached the log"
assert log.contains("BUILD FAILURE")
return true
