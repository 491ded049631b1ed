CREATE TABLE `api_key_addresses` (
	`api_key_id` text NOT NULL,
	`ip` text NOT NULL,
	`first_seen_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	PRIMARY KEY(`api_key_id`, `ip`),
	FOREIGN KEY (`api_key_id`) REFERENCES `api_keys`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `security_events` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`user_id` text,
	`kind` text NOT NULL,
	`at` integer NOT NULL,
	`ip` text,
	`user_agent` text,
	`data` text NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `security_events_tenant` ON `security_events` (`tenant_id`,`id`);--> statement-breakpoint
CREATE INDEX `security_events_user` ON `security_events` (`tenant_id`,`user_id`,`id`);--> statement-breakpoint
CREATE INDEX `security_events_kind` ON `security_events` (`tenant_id`,`kind`,`id`);--> statement-breakpoint
ALTER TABLE `rate_limits` ADD `blocked_until` integer DEFAULT 0 NOT NULL;