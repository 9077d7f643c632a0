plugins {
    id("org.flywaydb.flyway") version "10.20.0"
}

flyway {
    url = "jdbc:postgresql://localhost/app"
    locations = arrayOf("classpath:db/migration", "filesystem:db/other")
}
