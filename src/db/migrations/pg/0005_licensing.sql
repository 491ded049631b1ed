CREATE TABLE "instance_state" (
	"key" text PRIMARY KEY NOT NULL,
	"value" jsonb NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "licenses" (
	"slot" text PRIMARY KEY NOT NULL,
	"tenant_id" text,
	"token" text,
	"plan_id" text,
	"installed_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "plans" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"entitlements" jsonb NOT NULL,
	"limits" jsonb NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	CONSTRAINT "plans_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "usage_daily" (
	"tenant_id" text NOT NULL,
	"day" text NOT NULL,
	"metric" text NOT NULL,
	"dimension" text NOT NULL,
	"count" integer NOT NULL,
	CONSTRAINT "usage_daily_tenant_id_day_metric_dimension_pk" PRIMARY KEY("tenant_id","day","metric","dimension")
);
--> statement-breakpoint
CREATE TABLE "usage_mau" (
	"tenant_id" text NOT NULL,
	"month" text NOT NULL,
	"user_id" text NOT NULL,
	"first_at" bigint NOT NULL,
	CONSTRAINT "usage_mau_tenant_id_month_user_id_pk" PRIMARY KEY("tenant_id","month","user_id")
);
--> statement-breakpoint
CREATE TABLE "usage_reports" (
	"seq" integer PRIMARY KEY NOT NULL,
	"month" text NOT NULL,
	"hash" text NOT NULL,
	"document" text NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "licenses" ADD CONSTRAINT "licenses_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "licenses" ADD CONSTRAINT "licenses_plan_id_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."plans"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_daily" ADD CONSTRAINT "usage_daily_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_mau" ADD CONSTRAINT "usage_mau_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "usage_reports_month" ON "usage_reports" USING btree ("month");