CREATE TABLE "clients" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"client_id" text NOT NULL,
	"name" text NOT NULL,
	"type" text NOT NULL,
	"secret_hash" text,
	"previous_secret_hash" text,
	"previous_secret_expires_at" bigint,
	"redirect_uris" jsonb NOT NULL,
	"post_logout_redirect_uris" jsonb NOT NULL,
	"grant_types" jsonb NOT NULL,
	"scopes" jsonb NOT NULL,
	"audiences" jsonb NOT NULL,
	"token_endpoint_auth_method" text NOT NULL,
	"jwks" jsonb,
	"jwks_uri" text,
	"id_token_signed_response_alg" text NOT NULL,
	"access_token_ttl" integer,
	"refresh_token_ttl" integer,
	"first_party" boolean NOT NULL,
	"cors_origins" jsonb NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	CONSTRAINT "clients_client_id_unique" UNIQUE("client_id")
);
--> statement-breakpoint
ALTER TABLE "clients" ADD CONSTRAINT "clients_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "clients_tenant_name" ON "clients" USING btree ("tenant_id","name");--> statement-breakpoint
CREATE INDEX "clients_tenant" ON "clients" USING btree ("tenant_id","created_at");