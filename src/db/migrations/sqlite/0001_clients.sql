CREATE TABLE `clients` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`client_id` text NOT NULL,
	`name` text NOT NULL,
	`type` text NOT NULL,
	`secret_hash` text,
	`previous_secret_hash` text,
	`previous_secret_expires_at` integer,
	`redirect_uris` text NOT NULL,
	`post_logout_redirect_uris` text NOT NULL,
	`grant_types` text NOT NULL,
	`scopes` text NOT NULL,
	`audiences` text NOT NULL,
	`token_endpoint_auth_method` text NOT NULL,
	`jwks` text,
	`jwks_uri` text,
	`id_token_signed_response_alg` text NOT NULL,
	`access_token_ttl` integer,
	`refresh_token_ttl` integer,
	`first_party` integer NOT NULL,
	`cors_origins` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `clients_client_id_unique` ON `clients` (`client_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `clients_tenant_name` ON `clients` (`tenant_id`,`name`);--> statement-breakpoint
CREATE INDEX `clients_tenant` ON `clients` (`tenant_id`,`created_at`);