//! OpenAPI schemas of the bodies whose texts and lists are bounded (issue 9 finding 5): plan
//! and report drafts, review comments and the evidence upload form. Every `maxLength` and
//! `maxItems` is read from the constants that the checks use (`service::limits`,
//! `http::upload::MAX_TEXT_PART`), so the document cannot drift from what is refused.

use std::borrow::Cow;

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{
    AdditionalProperties, ArrayBuilder, KnownFormat, ObjectBuilder, Schema, SchemaFormat,
    SchemaType, Type,
};

use crate::http::upload::MAX_TEXT_PART;
use crate::service::limits::{LONG_TEXT, MAX_INT, MAX_ROWS, MAX_TASKS, REASON, SHORT_TEXT, TEXT};

fn text(max: usize, description: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .max_length(Some(max))
        .description(Some(description))
        .into()
}

fn int(nullable: bool, description: &str) -> RefOr<Schema> {
    let ty: SchemaType = if nullable {
        [Type::Integer, Type::Null].into_iter().collect()
    } else {
        Type::Integer.into()
    };
    ObjectBuilder::new()
        .schema_type(ty)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
        .minimum(Some(-MAX_INT as f64))
        .maximum(Some(MAX_INT as f64))
        .description(Some(description))
        .into()
}

fn count(nullable: bool, description: &str) -> RefOr<Schema> {
    let ty: SchemaType = if nullable {
        [Type::Integer, Type::Null].into_iter().collect()
    } else {
        Type::Integer.into()
    };
    ObjectBuilder::new()
        .schema_type(ty)
        .minimum(Some(0f64))
        .description(Some(description))
        .into()
}

fn date(description: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(
            [Type::String, Type::Null]
                .into_iter()
                .collect::<SchemaType>(),
        )
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
        .description(Some(description))
        .into()
}

fn list(items: impl Into<RefOr<Schema>>, max: usize, description: &str) -> RefOr<Schema> {
    ArrayBuilder::new()
        .items(items.into())
        .max_items(Some(max))
        .description(Some(description))
        .into()
}

/// An object: every field optional (drafts may be partial), unknown fields refused.
fn object(description: &str, properties: Vec<(&str, RefOr<Schema>)>) -> ObjectBuilder {
    let mut o = ObjectBuilder::new()
        .schema_type(Type::Object)
        .additional_properties(Some(AdditionalProperties::<Schema>::FreeForm(false)))
        .description(Some(description));
    for (name, schema) in properties {
        o = o.property(name, schema);
    }
    o
}

macro_rules! named_schema {
    ($ty:ident, $name:literal, $body:expr) => {
        pub struct $ty;
        impl utoipa::PartialSchema for $ty {
            fn schema() -> RefOr<Schema> {
                $body.into()
            }
        }
        impl utoipa::ToSchema for $ty {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed($name)
            }
        }
    };
}

fn reform_plan() -> ObjectBuilder {
    let responsible = object(
        "A responsible person (责任分工).",
        vec![
            ("name", text(SHORT_TEXT, "Name.")),
            ("position", text(SHORT_TEXT, "Position, e.g. 秘书长.")),
        ],
    );
    let target = object(
        "A measurable target.",
        vec![
            ("metric", text(SHORT_TEXT, "E.g. 个人会员数.")),
            ("unit", text(SHORT_TEXT, "E.g. 人.")),
            ("baseline", int(true, "Value at the start.")),
            ("target", int(true, "Value to reach.")),
            ("due", date("Due date.")),
            (
                "fact",
                ObjectBuilder::new()
                    .schema_type(
                        [Type::String, Type::Null]
                            .into_iter()
                            .collect::<SchemaType>(),
                    )
                    .max_length(Some(SHORT_TEXT))
                    .description(Some(
                        "An integer fact the catalogue declares, e.g. members_now.",
                    ))
                    .into(),
            ),
        ],
    );
    let milestone = object(
        "A dated step.",
        vec![
            ("date", date("When.")),
            ("what", text(SHORT_TEXT, "What is done by then.")),
        ],
    );
    let task = object(
        "One planned task.",
        vec![
            (
                "number",
                count(false, "The task's number in the catalogue."),
            ),
            (
                "responsible",
                list(responsible, MAX_ROWS, "Responsible people."),
            ),
            ("targets", list(target, MAX_ROWS, "Targets.")),
            ("milestones", list(milestone, MAX_ROWS, "Milestones.")),
            ("notes", text(TEXT, "Notes.")),
        ],
    );
    object(
        "A reform plan's draft (kind=reform): every field optional, unknown fields refused.",
        vec![
            (
                "summary",
                text(LONG_TEXT, "The society's overall approach."),
            ),
            ("tasks", list(task, MAX_TASKS, "The planned tasks.")),
        ],
    )
}

fn rectification_plan() -> ObjectBuilder {
    let problem = object(
        "A problem found.",
        vec![
            ("description", text(TEXT, "The problem.")),
            ("task", count(true, "The catalogue task it concerns.")),
        ],
    );
    let measure = object(
        "A measure against a problem.",
        vec![
            ("what", text(TEXT, "What is done.")),
            ("owner", text(SHORT_TEXT, "Who.")),
            ("due", date("By when.")),
            (
                "problem",
                count(true, "Index (0-based) of the problem addressed."),
            ),
        ],
    );
    object(
        "A rectification plan's draft (kind=rectification): every field optional, unknown fields refused.",
        vec![
            (
                "analysis",
                text(LONG_TEXT, "The problem analysis (查找问题)."),
            ),
            ("problems", list(problem, MAX_ROWS, "Problems found.")),
            ("measures", list(measure, MAX_ROWS, "Measures.")),
        ],
    )
}

fn report() -> ObjectBuilder {
    let value = object(
        "The current value of one plan target.",
        vec![
            (
                "target",
                count(false, "Index (0-based) into the task's targets."),
            ),
            ("value", int(true, "Not known this month: null.")),
        ],
    );
    let status = ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(["not_started", "in_progress", "completed", "blocked"]))
        .description(Some("The task's status."));
    let task = object(
        "One planned task in the month's report.",
        vec![
            ("number", count(false, "The task's number.")),
            ("status", status.into()),
            ("progress", text(TEXT, "What was done this month.")),
            (
                "values",
                list(value, MAX_ROWS, "Current values of the targets."),
            ),
            (
                "milestones_reached",
                list(
                    ObjectBuilder::new()
                        .schema_type(Type::Integer)
                        .minimum(Some(0f64)),
                    MAX_ROWS,
                    "Indexes (0-based) of the milestones reached.",
                ),
            ),
            ("blocked_reason", text(TEXT, "Why the task is blocked.")),
        ],
    );
    object(
        "A monthly report's draft: every field optional, unknown fields refused.",
        vec![
            (
                "narrative",
                text(LONG_TEXT, "The month's overall progress."),
            ),
            (
                "tasks",
                list(task, MAX_TASKS, "One entry per planned task."),
            ),
        ],
    )
}

named_schema!(ReformPlanDraft, "ReformPlanDraft", reform_plan());
named_schema!(
    RectificationPlanDraft,
    "RectificationPlanDraft",
    rectification_plan()
);
named_schema!(ReportDraft, "ReportDraft", report());

/// A plan draft: a reform plan's or a rectification plan's content, per `kind`.
pub struct PlanDraft;
impl utoipa::PartialSchema for PlanDraft {
    fn schema() -> RefOr<Schema> {
        use utoipa::ToSchema;
        utoipa::openapi::schema::AnyOfBuilder::new()
            .item(utoipa::openapi::Ref::from_schema_name(ReformPlanDraft::name()))
            .item(utoipa::openapi::Ref::from_schema_name(
                RectificationPlanDraft::name(),
            ))
            .description(Some(
                "ReformPlanDraft (kind=reform, the default) or RectificationPlanDraft (kind=rectification).",
            ))
            .into()
    }
}
impl utoipa::ToSchema for PlanDraft {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("PlanDraft")
    }
}

named_schema!(
    EvidenceUpload,
    "EvidenceUpload",
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some(
            "multipart/form-data, the same form as the pages'. Text parts longer than the limit are refused (422, too-long).",
        ))
        .property(
            "owner_type",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(["plan_task", "report", "fact"]))
                .max_length(Some(MAX_TEXT_PART)),
        )
        .property("year", text(MAX_TEXT_PART, "The year, e.g. 2017."))
        .property("month", text(MAX_TEXT_PART, "A reporting month of the year (report evidence)."))
        .property("task", text(MAX_TEXT_PART, "A task of the year's catalogue (plan-task evidence)."))
        .property("field", text(MAX_TEXT_PART, "A fact the catalogue declares (fact evidence)."))
        .property(
            "file",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
                .description(Some("The file (PDF, image, office document, CSV or text; type decided by content).")),
        )
        .required("owner_type")
        .required("year")
        .required("file")
);

/// Sets `maxLength` of the review requests' `comment` and the rectification request's
/// `reason` (the limits the services check).
pub struct CommentLimits;
impl utoipa::Modify for CommentLimits {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        for (name, field, max) in [
            ("ReviewRequest", "comment", TEXT),
            ("ReportReviewRequest", "comment", TEXT),
            ("ReportAcceptRequest", "comment", TEXT),
            ("RectificationRequest", "reason", REASON),
        ] {
            if let Some(RefOr::T(Schema::Object(o))) = components.schemas.get_mut(name)
                && let Some(RefOr::T(Schema::Object(p))) = o.properties.get_mut(field)
            {
                p.max_length = Some(max);
            }
        }
        if let Some(RefOr::T(Schema::Object(o))) = components.schemas.get_mut("ReviewRequest")
            && let Some(RefOr::T(Schema::Object(map))) = o.properties.get_mut("task_comments")
        {
            map.max_properties = Some(MAX_TASKS);
            if let Some(extra) = map.additional_properties.as_mut()
                && let AdditionalProperties::RefOr(RefOr::T(Schema::Object(value))) = &mut **extra
            {
                value.max_length = Some(TEXT);
            }
        }
    }
}
