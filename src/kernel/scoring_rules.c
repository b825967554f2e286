/*
 * scoring_rules.c
 *		The registry of scoring rules: each rule's parameters with their JSON
 *		types and defaults, whether it reads a baseline or the group of
 *		values scored together, the check of its parameters and its score.
 *
 * Everything that knows about rules reads this one table: the engine scores
 * leaf indicators through score_indicator(), a scheme's indicators are
 * checked at commit by check_scoring(), the SQL functions score_ratio_band()
 * and score_goalposts() take their defaults from here, and analysts list
 * the rules with scoring_rules() and scoring_parameters().  A new rule is
 * one C function (scoring.c) and one entry below.
 */
#include "safeidx.h"

#include <math.h>

#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

static const char *const middle_choices[] = {"step", "linear", NULL};

/* ratio_band: lower, upper, middle, middle_share */
static void
ratio_band_check_args(const ScoringArgs *args, bool higher_is_better)
{
	ratio_band_check(args->value[0], args->value[1], args->value[3]);
}

static double
ratio_band_rule(const ScoringInput *in, const ScoringArgs *args, bool *is_null)
{
	*is_null = !in->has_baseline;
	if (*is_null)
		return 0;
	return ratio_band_score(in->value, in->baseline, args->value[0], args->value[1],
							in->higher_is_better, args->value[2] == 1, args->value[3]);
}

/* goalposts: minimum, maximum, log_scale, capped */
static void
goalposts_check_args(const ScoringArgs *args, bool higher_is_better)
{
	goalposts_check(args->value[0], args->value[1], args->value[2] != 0);
}

static double
goalposts_rule(const ScoringInput *in, const ScoringArgs *args, bool *is_null)
{
	/*
	 * On a log scale a value of 0 or less has no logarithm: capped, it is
	 * below the (positive) minimum and scores as the minimum does; uncapped,
	 * it cannot be scored.  Data never make a computation fail.
	 */
	*is_null = args->value[2] != 0 && in->value <= 0 && args->value[3] == 0;
	if (*is_null)
		return 0;
	if (args->value[2] != 0 && in->value <= 0)
		return in->higher_is_better ? 0 : 1;
	return goalposts_score(in->value, args->value[0], args->value[1], in->higher_is_better,
						   args->value[2] != 0, args->value[3] != 0);
}

/* target: target (else the baseline) */
static void
target_check_args(const ScoringArgs *args, bool higher_is_better)
{
	if (args->given[0])
		target_check(args->value[0], higher_is_better);
}

static double
target_rule(const ScoringInput *in, const ScoringArgs *args, bool *is_null)
{
	*is_null = !args->given[0] && !in->has_baseline;
	if (*is_null)
		return 0;
	return target_score(in->value, args->given[0] ? args->value[0] : in->baseline,
						in->higher_is_better);
}

/* minmax: no parameter; the group of values scored together */
static void
no_check(const ScoringArgs *args, bool higher_is_better)
{
}

static double
minmax_rule(const ScoringInput *in, const ScoringArgs *args, bool *is_null)
{
	if (in->group == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("scoring rule minmax needs the group of values scored together")));
	return minmax_score(in->value, in->group, in->higher_is_better, is_null);
}

static const ScoringRule rules[] = {
	{"ratio_band",
		"value / baseline by bands (Wuchang 0.8 / 1.2): 1 in the best band, 0 in the worst, a step or a linear share in between",
		BASELINE_REQUIRED, NULL, false, 4,
		{{"lower", SCORING_NUMBER, false, 0.8, NULL},
		 {"upper", SCORING_NUMBER, false, 1.2, NULL},
		 {"middle", SCORING_CHOICE, false, 0, middle_choices},
		 {"middle_share", SCORING_NUMBER, false, 0.5, NULL}},
	ratio_band_check_args, ratio_band_rule},
	{"goalposts",
		"(value - minimum) / (maximum - minimum), on logarithms with log_scale, reversed when lower is better, cut to [0, 1] when capped",
		BASELINE_UNUSED, NULL, false, 4,
		{{"minimum", SCORING_NUMBER, true, 0, NULL},
		 {"maximum", SCORING_NUMBER, true, 0, NULL},
		 {"log_scale", SCORING_BOOLEAN, false, 0, NULL},
		 {"capped", SCORING_BOOLEAN, false, 1, NULL}},
	goalposts_check_args, goalposts_rule},
	{"target",
		"share of the target reached: value / target, or target / value when lower is better; the target is the baseline unless given",
		BASELINE_OPTIONAL, "target", false, 1,
		{{"target", SCORING_NUMBER, false, 0, NULL}},
	target_check_args, target_rule},
	{"minmax",
		"(value - min) / (max - min) over the regions of the same level, period and indicator, reversed when lower is better",
		BASELINE_UNUSED, NULL, true, 0, {{0}},
	no_check, minmax_rule},
};

const ScoringRule *
scoring_rule(const char *name)
{
	for (int i = 0; i < (int) lengthof(rules); i++)
		if (strcmp(rules[i].name, name) == 0)
			return &rules[i];
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown scoring rule \"%s\"", name),
			 errhint("See safeidx.scoring_rules().")));
	return NULL;				/* keep the compiler quiet */
}

static const char *
param_json_type(const ScoringParam *param)
{
	switch (param->kind)
	{
		case SCORING_NUMBER:
			return "number";
		case SCORING_BOOLEAN:
			return "boolean";
		default:
			return "string";
	}
}

static int
choice_index(const ScoringRule *rule, const ScoringParam *param, const char *text)
{
	StringInfoData allowed;

	for (int i = 0; param->choices[i] != NULL; i++)
		if (strcmp(param->choices[i], text) == 0)
			return i;
	initStringInfo(&allowed);
	for (int i = 0; param->choices[i] != NULL; i++)
		appendStringInfo(&allowed, "%s%s", i == 0 ? "" : " or ", param->choices[i]);
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("parameter \"%s\" of scoring rule %s must be %s, not \"%s\"",
					param->name, rule->name, allowed.data, text)));
	return 0;					/* keep the compiler quiet */
}

static void
args_set_defaults(const ScoringRule *rule, ScoringArgs *args)
{
	memset(args, 0, sizeof(*args));
	for (int i = 0; i < rule->nparams; i++)
		args->value[i] = rule->params[i].default_value;
}

static const char *
jsonb_value_type(const JsonbValue *v)
{
	switch (v->type)
	{
		case jbvNumeric:
			return "number";
		case jbvString:
			return "string";
		case jbvBool:
			return "boolean";
		case jbvNull:
			return "null";
		default:
			return JsonContainerIsArray(v->val.binary.data) ? "array" : "object";
	}
}

/* One parameter from its JSON value; the key must be one of the rule's. */
static void
arg_from_jsonb(const ScoringRule *rule, const char *key, const JsonbValue *v, ScoringArgs *args)
{
	for (int i = 0; i < rule->nparams; i++)
	{
		const ScoringParam *param = &rule->params[i];

		if (strcmp(param->name, key) != 0 || strcmp(param_json_type(param), jsonb_value_type(v)) != 0)
			continue;
		if (param->kind == SCORING_NUMBER)
			args->value[i] = DatumGetFloat8(DirectFunctionCall1(numeric_float8,
																NumericGetDatum(v->val.numeric)));
		else if (param->kind == SCORING_BOOLEAN)
			args->value[i] = v->val.boolean ? 1 : 0;
		else
			args->value[i] = choice_index(rule, param, pnstrdup(v->val.string.val, v->val.string.len));
		args->given[i] = true;
		return;
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("scoring rule %s takes no parameter \"%s\" of JSON type %s",
					rule->name, key, jsonb_value_type(v))));
}

/*
 * A rule's parameters from a JSON object such as {"lower": 0.7}: unknown
 * keys, wrong JSON types, bad choices and missing required parameters are
 * errors; the others take their defaults.
 */
void
scoring_args_from_jsonb(const ScoringRule *rule, Jsonb *params, ScoringArgs *args)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken token;

	args_set_defaults(rule, args);
	if (!JB_ROOT_IS_OBJECT(params))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the parameters of scoring rule %s must be a JSON object", rule->name)));
	it = JsonbIteratorInit(&params->root);
	while ((token = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		char	   *key;

		if (token != WJB_KEY)
			continue;
		key = pnstrdup(v.val.string.val, v.val.string.len);
		token = JsonbIteratorNext(&it, &v, true);
		Assert(token == WJB_VALUE);
		arg_from_jsonb(rule, key, &v, args);
	}
	for (int i = 0; i < rule->nparams; i++)
		if (rule->params[i].required && !args->given[i])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("scoring rule %s needs parameter \"%s\"", rule->name, rule->params[i].name)));
}

/*
 * A rule's parameters from the arguments of an SQL call, argnos[i] holding
 * parameter i; a NULL argument takes the default.
 */
void
scoring_args_from_call(const ScoringRule *rule, FunctionCallInfo fcinfo,
					   const int *argnos, ScoringArgs *args)
{
	args_set_defaults(rule, args);
	for (int i = 0; i < rule->nparams; i++)
	{
		const ScoringParam *param = &rule->params[i];
		int			argno = argnos[i];

		if (PG_ARGISNULL(argno))
			continue;
		if (param->kind == SCORING_NUMBER)
			args->value[i] = PG_GETARG_FLOAT8(argno);
		else if (param->kind == SCORING_BOOLEAN)
			args->value[i] = PG_GETARG_BOOL(argno) ? 1 : 0;
		else
			args->value[i] = choice_index(rule, param, text_to_cstring(PG_GETARG_TEXT_PP(argno)));
		args->given[i] = true;
	}
}

/*
 * score_indicator(rule, value, baseline, higher_is_better, params, stats):
 * the score of one indicator value by a rule of the registry, or NULL when
 * it cannot be scored (no value; no baseline for a rule that needs one; a
 * group without spread for minmax).
 */
PG_FUNCTION_INFO_V1(score_indicator);
Datum
score_indicator(PG_FUNCTION_ARGS)
{
	const ScoringRule *rule;
	ScoringArgs args;
	ScoringInput in = {0};
	bool		is_null;
	double		score;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(3) || PG_ARGISNULL(4))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("score_indicator needs a rule, a direction and parameters (use '{}' for none)")));
	if (PG_ARGISNULL(1))
		PG_RETURN_NULL();
	rule = scoring_rule(text_to_cstring(PG_GETARG_TEXT_PP(0)));
	scoring_args_from_jsonb(rule, PG_GETARG_JSONB_P(4), &args);
	in.value = PG_GETARG_FLOAT8(1);
	in.has_baseline = !PG_ARGISNULL(2);
	in.baseline = in.has_baseline ? PG_GETARG_FLOAT8(2) : 0;
	in.higher_is_better = PG_GETARG_BOOL(3);
	in.group = PG_ARGISNULL(5) ? NULL : (const GroupStats *) PG_GETARG_POINTER(5);
	score = rule->score(&in, &args, &is_null);
	if (is_null)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(score);
}

/*
 * check_scoring(rule, params, higher_is_better, has_baseline): raises the
 * error an indicator scored so would meet, without scoring anything.
 */
PG_FUNCTION_INFO_V1(check_scoring);
Datum
check_scoring(PG_FUNCTION_ARGS)
{
	const ScoringRule *rule = scoring_rule(text_to_cstring(PG_GETARG_TEXT_PP(0)));
	bool		higher_is_better = PG_GETARG_BOOL(2);
	bool		has_baseline = PG_GETARG_BOOL(3);
	ScoringArgs args;

	scoring_args_from_jsonb(rule, PG_GETARG_JSONB_P(1), &args);
	if (rule->baseline == BASELINE_REQUIRED && !has_baseline)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("scoring rule %s needs a baseline", rule->name)));
	if (rule->baseline == BASELINE_OPTIONAL && !has_baseline && !args.given[0])
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("scoring rule %s needs parameter \"%s\" or a baseline",
						rule->name, rule->baseline_param)));
	rule->check(&args, higher_is_better);
	PG_RETURN_VOID();
}

static const char *const baseline_words[] = {"unused", "optional", "required"};

PG_FUNCTION_INFO_V1(scoring_rules);
Datum
scoring_rules(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	InitMaterializedSRF(fcinfo, 0);
	for (int i = 0; i < (int) lengthof(rules); i++)
	{
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		values[0] = CStringGetTextDatum(rules[i].name);
		values[1] = CStringGetTextDatum(baseline_words[rules[i].baseline]);
		values[2] = BoolGetDatum(rules[i].needs_group);
		values[3] = CStringGetTextDatum(rules[i].description);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

static Datum
default_as_jsonb(const ScoringParam *param)
{
	char	   *json;

	if (param->kind == SCORING_NUMBER)
		json = psprintf("%g", param->default_value);
	else if (param->kind == SCORING_BOOLEAN)
		json = param->default_value != 0 ? "true" : "false";
	else
		json = psprintf("\"%s\"", param->choices[(int) param->default_value]);
	return DirectFunctionCall1(jsonb_in, CStringGetDatum(json));
}

PG_FUNCTION_INFO_V1(scoring_parameters);
Datum
scoring_parameters(PG_FUNCTION_ARGS)
{
	const ScoringRule *rule = scoring_rule(text_to_cstring(PG_GETARG_TEXT_PP(0)));
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	InitMaterializedSRF(fcinfo, 0);
	for (int i = 0; i < rule->nparams; i++)
	{
		const ScoringParam *param = &rule->params[i];
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		values[0] = CStringGetTextDatum(param->name);
		values[1] = CStringGetTextDatum(param_json_type(param));
		values[2] = BoolGetDatum(param->required);
		nulls[3] = param->required ||
			(rule->baseline_param != NULL && strcmp(param->name, rule->baseline_param) == 0);
		values[3] = nulls[3] ? (Datum) 0 : default_as_jsonb(param);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
