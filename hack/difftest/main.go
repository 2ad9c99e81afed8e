// Command difftest answers questions about pod templates the way OpenKruise v1.9.0
// does, so that kruise-py's pure logic can be compared with it (test/difftest).
//
// Usage:
//
//	difftest            read JSON cases, one a line, on stdin; write one answer a line
//	difftest -schema    print the JSON model of core/v1 PodTemplateSpec and
//	                    PersistentVolumeClaim as encoding/json sees them
//
// A case is {"id": ..., "op": ..., ...}; the answer is {"id": ..., ...} or
// {"id": ..., "error": "..."}. Ops:
//
//	typed       {"template"}: the template decoded into v1.PodTemplateSpec, re-encoded
//	revision    {"template", "name", "collisionCount"}: the ControllerRevision a
//	            CloneSet and an Advanced StatefulSet (both v1beta1) build for it
//	defaults    {"template", "claimTemplates"}: SetDefaultsCloneSetV1beta1 with template
//	            defaults injected (as on create), template and claims re-encoded
//	inplace     {"old", "new", "name"}: the in-place update spec between the
//	            CloneSet revisions of two templates (named "<name>-<hash>")
//	completed   {"pod"}: DefaultCheckInPlaceUpdateCompleted's verdict
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"

	"github.com/openkruise/kruise/apis/apps/defaults"
	appsv1beta1 "github.com/openkruise/kruise/apis/apps/v1beta1"
	"github.com/openkruise/kruise/pkg/controller/cloneset/revision"
	"github.com/openkruise/kruise/pkg/util/inplaceupdate"
	apps "k8s.io/api/apps/v1"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/kubernetes/pkg/controller/history"
	kjson "sigs.k8s.io/json"
)

var statefulSetPatchCodec = scheme.Codecs.LegacyCodec(appsv1beta1.SchemeGroupVersion)

type input struct {
	ID             string            `json:"id"`
	Op             string            `json:"op"`
	Template       json.RawMessage   `json:"template"`
	ClaimTemplates json.RawMessage   `json:"claimTemplates"`
	Old            json.RawMessage   `json:"old"`
	New            json.RawMessage   `json:"new"`
	Pod            json.RawMessage   `json:"pod"`
	Name           string            `json:"name"`
	CollisionCount *int32            `json:"collisionCount"`
	Annotations    map[string]string `json:"annotations"`
}

func main() {
	schema := flag.Bool("schema", false, "print the type model and exit")
	flag.Parse()
	if err := appsv1beta1.AddToScheme(scheme.Scheme); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if *schema {
		printSchema()
		return
	}
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 64<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		var c input
		answer := map[string]any{}
		if err := json.Unmarshal(in.Bytes(), &c); err != nil {
			answer["error"] = err.Error()
		} else {
			answer["id"] = c.ID
			if err := handle(&c, answer); err != nil {
				answer["error"] = err.Error()
			}
		}
		line, _ := json.Marshal(answer)
		out.Write(line)
		out.WriteByte('\n')
		out.Flush() // one answer per case, as soon as it is known: the caller waits for it
	}
	if err := in.Err(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func handle(c *input, answer map[string]any) error {
	switch c.Op {
	case "typed":
		var t v1.PodTemplateSpec
		if err := decode(c.Template, &t); err != nil {
			return err
		}
		answer["template"] = t
	case "revision":
		return revisions(c, answer)
	case "defaults":
		return defaulted(c, answer)
	case "inplace":
		return inPlace(c, answer)
	case "completed":
		var pod v1.Pod
		if err := decode(c.Pod, &pod); err != nil {
			return err
		}
		err := inplaceupdate.DefaultCheckInPlaceUpdateCompleted(&pod)
		answer["completed"] = err == nil
		if err != nil {
			answer["reason"] = err.Error()
		}
	default:
		return fmt.Errorf("unknown op %q", c.Op)
	}
	return nil
}

// decode reads JSON as the API machinery's serializer does: field names case-sensitive.
func decode(raw json.RawMessage, into any) error {
	if len(raw) == 0 {
		return nil
	}
	return kjson.UnmarshalCaseSensitivePreserveInts(raw, into)
}

func cloneSet(c *input, raw json.RawMessage) (*appsv1beta1.CloneSet, error) {
	cs := &appsv1beta1.CloneSet{}
	cs.Name, cs.Namespace, cs.UID = c.Name, "default", "uid-1"
	cs.Annotations = c.Annotations
	if err := decode(raw, &cs.Spec.Template); err != nil {
		return nil, err
	}
	if err := decode(c.ClaimTemplates, &cs.Spec.VolumeClaimTemplates); err != nil {
		return nil, err
	}
	return cs, nil
}

func describe(cr *apps.ControllerRevision) map[string]any {
	return map[string]any{
		"name":        cr.Name,
		"hash":        cr.Labels[history.ControllerRevisionHashLabel],
		"data":        string(cr.Data.Raw),
		"labels":      cr.Labels,
		"annotations": cr.Annotations,
	}
}

func revisions(c *input, answer map[string]any) error {
	cs, err := cloneSet(c, c.Template)
	if err != nil {
		return err
	}
	cr, err := revision.NewRevisionControl().NewRevision(cs, 1, c.CollisionCount)
	if err != nil {
		return err
	}
	answer["cloneset"] = describe(cr)

	set := &appsv1beta1.StatefulSet{}
	set.Name, set.Namespace, set.UID = c.Name, "default", "uid-1"
	set.Annotations = c.Annotations
	set.Spec.Template = cs.Spec.Template
	sr, err := statefulSetRevision(set, c.CollisionCount)
	if err != nil {
		return err
	}
	answer["statefulset"] = describe(sr)
	return nil
}

// statefulSetRevision is the Advanced StatefulSet controller's newRevision (unexported
// there): the same patch built from the typed object.
func statefulSetRevision(set *appsv1beta1.StatefulSet, collisionCount *int32) (*apps.ControllerRevision, error) {
	str, err := runtime.Encode(statefulSetPatchCodec, set)
	if err != nil {
		return nil, err
	}
	var raw map[string]any
	if err := json.Unmarshal(str, &raw); err != nil {
		return nil, err
	}
	template := raw["spec"].(map[string]any)["template"].(map[string]any)
	template["$patch"] = "replace"
	patch, err := json.Marshal(map[string]any{"spec": map[string]any{"template": template}})
	if err != nil {
		return nil, err
	}
	kind := appsv1beta1.SchemeGroupVersion.WithKind("StatefulSet")
	cr, err := history.NewControllerRevision(set, kind, set.Spec.Template.Labels,
		runtime.RawExtension{Raw: patch}, 1, collisionCount)
	if err != nil {
		return nil, err
	}
	if cr.Annotations == nil {
		cr.Annotations = map[string]string{}
	}
	for k, v := range set.Annotations {
		cr.Annotations[k] = v
	}
	return cr, nil
}

func defaulted(c *input, answer map[string]any) error {
	cs, err := cloneSet(c, c.Template)
	if err != nil {
		return err
	}
	defaults.SetDefaultsCloneSetV1beta1(cs, true)
	answer["template"] = cs.Spec.Template
	answer["claimTemplates"] = cs.Spec.VolumeClaimTemplates

	set := &appsv1beta1.StatefulSet{}
	if err := decode(c.Template, &set.Spec.Template); err != nil {
		return err
	}
	if err := decode(c.ClaimTemplates, &set.Spec.VolumeClaimTemplates); err != nil {
		return err
	}
	defaults.SetDefaultsStatefulSet(set, true)
	answer["statefulsetTemplate"] = set.Spec.Template
	answer["statefulsetClaimTemplates"] = set.Spec.VolumeClaimTemplates
	return nil
}

func inPlace(c *input, answer map[string]any) error {
	control := revision.NewRevisionControl()
	oldSet, err := cloneSet(c, c.Old)
	if err != nil {
		return err
	}
	newSet, err := cloneSet(c, c.New)
	if err != nil {
		return err
	}
	oldRev, err := control.NewRevision(oldSet, 1, nil)
	if err != nil {
		return err
	}
	newRev, err := control.NewRevision(newSet, 2, nil)
	if err != nil {
		return err
	}
	opts := inplaceupdate.SetOptionsDefaults(&inplaceupdate.UpdateOptions{})
	spec := opts.CalculateSpec(oldRev, newRev, opts)
	answer["oldRevision"] = oldRev.Name
	answer["newRevision"] = newRev.Name
	if spec == nil {
		answer["spec"] = nil
		return nil
	}
	out := map[string]any{
		"revision":        spec.Revision,
		"containerImages": spec.ContainerImages,
	}
	if len(spec.MetaDataPatch) > 0 {
		out["metaDataPatch"] = json.RawMessage(spec.MetaDataPatch)
	}
	if len(spec.ContainerRefMetadata) > 0 {
		out["containerRefMetadata"] = spec.ContainerRefMetadata
	}
	if len(spec.ContainerResources) > 0 {
		out["containerResources"] = spec.ContainerResources
	}
	out["updateEnvFromMetadata"] = spec.UpdateEnvFromMetadata
	answer["spec"] = out
	return nil
}

// --- the type model -----------------------------------------------------------------

type field struct {
	Name      string `json:"name"`
	OmitEmpty bool   `json:"omitempty"`
	Type      string `json:"type"`
}

var special = map[string]string{
	"k8s.io/apimachinery/pkg/api/resource.Quantity":   "quantity",
	"k8s.io/apimachinery/pkg/util/intstr.IntOrString": "intorstring",
	"k8s.io/apimachinery/pkg/apis/meta/v1.Time":       "time",
	"k8s.io/apimachinery/pkg/apis/meta/v1.MicroTime":  "microtime",
	"k8s.io/apimachinery/pkg/apis/meta/v1.FieldsV1":   "raw",
	"k8s.io/apimachinery/pkg/runtime.RawExtension":    "raw",
}

func typeKey(t reflect.Type) string {
	path := t.PkgPath()
	for _, prefix := range []string{"k8s.io/api/", "k8s.io/apimachinery/pkg/apis/"} {
		path = strings.TrimPrefix(path, prefix)
	}
	return path + "." + t.Name()
}

func printSchema() {
	types := map[string][]field{}
	var ref func(t reflect.Type) string
	var fields func(t reflect.Type) []field
	fields = func(t reflect.Type) []field {
		var out []field
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
				out = append(out, fields(f.Type)...)
				continue
			}
			if name == "" {
				name = f.Name
			}
			out = append(out, field{name, strings.Contains(","+opts+",", ",omitempty,"), ref(f.Type)})
		}
		return out
	}
	ref = func(t reflect.Type) string {
		if s, ok := special[t.PkgPath()+"."+t.Name()]; ok {
			return s
		}
		switch t.Kind() {
		case reflect.Pointer:
			return "*" + ref(t.Elem())
		case reflect.Slice:
			if t.Elem().Kind() == reflect.Uint8 {
				return "bytes"
			}
			return "[]" + ref(t.Elem())
		case reflect.Map:
			return "{}" + ref(t.Elem())
		case reflect.String:
			return "string"
		case reflect.Bool:
			return "bool"
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			return "int"
		case reflect.Float32, reflect.Float64:
			return "float"
		case reflect.Struct:
			key := typeKey(t)
			if _, seen := types[key]; !seen {
				types[key] = nil
				types[key] = fields(t)
			}
			return key
		}
		panic("unsupported type " + t.String())
	}
	roots := map[string]string{
		"PodTemplateSpec":       ref(reflect.TypeOf(v1.PodTemplateSpec{})),
		"PersistentVolumeClaim": ref(reflect.TypeOf(v1.PersistentVolumeClaim{})),
		"ObjectMeta":            ref(reflect.TypeOf(metav1.ObjectMeta{})),
	}
	names := make([]string, 0, len(types))
	for k := range types {
		names = append(names, k)
	}
	sort.Strings(names)
	ordered := make([]any, 0, len(names))
	for _, k := range names {
		ordered = append(ordered, []any{k, types[k]})
	}
	out, _ := json.MarshalIndent(map[string]any{"roots": roots, "types": ordered}, "", " ")
	os.Stdout.Write(out)
	os.Stdout.WriteString("\n")
}
