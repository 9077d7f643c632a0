package org.tickets.legacy;

import org.flywaydb.core.api.migration.BaseJavaMigration;

/** A base class: abstract, so not a migration Flyway runs. */
public abstract class AuditedMigration extends BaseJavaMigration {}
