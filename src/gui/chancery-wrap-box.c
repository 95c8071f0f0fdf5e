/* chancery-wrap-box.c: children in lines, each at its natural width
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "chancery-wrap-box.h"

struct _ChanceryWrapBox
{
  GtkWidget parent_instance;

  int column_spacing;
  int row_spacing;
};

G_DEFINE_FINAL_TYPE (ChanceryWrapBox, chancery_wrap_box, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_COLUMN_SPACING,
  PROP_ROW_SPACING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* A child's width on a line of the given width: its natural width, or
 * less (down to its minimum) when that is wider than the line. */
static int
child_width (GtkWidget *child,
             int        line_width)
{
  int minimum, natural;

  gtk_widget_measure (child, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, &natural, NULL, NULL);
  return MAX (minimum, MIN (natural, line_width));
}

static int
child_height (GtkWidget *child,
              int        width)
{
  int minimum;

  gtk_widget_measure (child, GTK_ORIENTATION_VERTICAL, width, &minimum, NULL, NULL, NULL);
  return minimum;
}

/* Lays the children out in lines of width (G_MAXINT: one line), and
 * allocates them when allocate; returns the height used. */
static int
flow (ChanceryWrapBox *self,
      int              width,
      gboolean         allocate)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean rtl = gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL;
  GtkWidget *line_start = NULL;
  int x = 0, y = 0, line_height = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); ; child = gtk_widget_get_next_sibling (child))
    {
      int w = 0;

      while (child != NULL && !gtk_widget_should_layout (child))
        child = gtk_widget_get_next_sibling (child);
      if (child != NULL)
        w = child_width (child, width);

      /* The line is full (or the children are done): place it. */
      if (line_start != NULL && (child == NULL || x + self->column_spacing + w > width))
        {
          int cx = 0;

          for (GtkWidget *c = line_start; c != child; c = gtk_widget_get_next_sibling (c))
            {
              int cw;

              if (!gtk_widget_should_layout (c))
                continue;
              cw = child_width (c, width);
              if (allocate)
                {
                  GtkAllocation a = { rtl ? width - cx - cw : cx, y, cw, line_height };

                  gtk_widget_size_allocate (c, &a, -1);
                }
              cx += cw + self->column_spacing;
            }
          y += line_height + self->row_spacing;
          line_start = NULL;
        }
      if (child == NULL)
        break;

      if (line_start == NULL)
        {
          line_start = child;
          x = w;
          line_height = child_height (child, w);
        }
      else
        {
          x += self->column_spacing + w;
          line_height = MAX (line_height, child_height (child, w));
        }
    }

  return y > 0 ? y - self->row_spacing : 0;
}

static GtkSizeRequestMode
chancery_wrap_box_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
chancery_wrap_box_measure (GtkWidget      *widget,
                           GtkOrientation  orientation,
                           int             for_size,
                           int            *minimum,
                           int            *natural,
                           int            *minimum_baseline,
                           int            *natural_baseline)
{
  ChanceryWrapBox *self = CHANCERY_WRAP_BOX (widget);

  *minimum = *natural = 0;
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      /* As narrow as the widest child can be; naturally all on one line. */
      gboolean first = TRUE;

      for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
           child = gtk_widget_get_next_sibling (child))
        {
          int child_minimum, child_natural;

          if (!gtk_widget_should_layout (child))
            continue;
          gtk_widget_measure (child, GTK_ORIENTATION_HORIZONTAL, -1,
                              &child_minimum, &child_natural, NULL, NULL);
          *minimum = MAX (*minimum, child_minimum);
          *natural += child_natural + (first ? 0 : self->column_spacing);
          first = FALSE;
        }
      return;
    }

  *minimum = *natural = flow (self, for_size < 0 ? G_MAXINT / 2 : for_size, FALSE);
}

static void
chancery_wrap_box_size_allocate (GtkWidget *widget,
                                 int        width,
                                 int        height,
                                 int        baseline)
{
  flow (CHANCERY_WRAP_BOX (widget), width, TRUE);
}

void
chancery_wrap_box_append (ChanceryWrapBox *self,
                          GtkWidget       *child)
{
  g_return_if_fail (CHANCERY_IS_WRAP_BOX (self));
  g_return_if_fail (GTK_IS_WIDGET (child));

  gtk_widget_set_parent (child, GTK_WIDGET (self));
}

void
chancery_wrap_box_remove_all (ChanceryWrapBox *self)
{
  GtkWidget *child;

  g_return_if_fail (CHANCERY_IS_WRAP_BOX (self));

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
}

GtkWidget *
chancery_wrap_box_new (void)
{
  return g_object_new (CHANCERY_TYPE_WRAP_BOX, NULL);
}

static void
chancery_wrap_box_dispose (GObject *object)
{
  chancery_wrap_box_remove_all (CHANCERY_WRAP_BOX (object));

  G_OBJECT_CLASS (chancery_wrap_box_parent_class)->dispose (object);
}

static void
chancery_wrap_box_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  ChanceryWrapBox *self = CHANCERY_WRAP_BOX (object);

  switch (prop_id)
    {
    case PROP_COLUMN_SPACING:
      g_value_set_int (value, self->column_spacing);
      break;
    case PROP_ROW_SPACING:
      g_value_set_int (value, self->row_spacing);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
chancery_wrap_box_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  ChanceryWrapBox *self = CHANCERY_WRAP_BOX (object);
  int *spacing;

  switch (prop_id)
    {
    case PROP_COLUMN_SPACING:
      spacing = &self->column_spacing;
      break;
    case PROP_ROW_SPACING:
      spacing = &self->row_spacing;
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }
  if (*spacing == g_value_get_int (value))
    return;
  *spacing = g_value_get_int (value);
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (object, pspec);
}

static void
chancery_wrap_box_class_init (ChanceryWrapBoxClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = chancery_wrap_box_dispose;
  object_class->get_property = chancery_wrap_box_get_property;
  object_class->set_property = chancery_wrap_box_set_property;

  widget_class->get_request_mode = chancery_wrap_box_get_request_mode;
  widget_class->measure = chancery_wrap_box_measure;
  widget_class->size_allocate = chancery_wrap_box_size_allocate;

  properties[PROP_COLUMN_SPACING] =
    g_param_spec_int ("column-spacing", NULL, NULL, 0, G_MAXINT / 4, 0,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ROW_SPACING] =
    g_param_spec_int ("row-spacing", NULL, NULL, 0, G_MAXINT / 4, 0,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "wrapbox");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
chancery_wrap_box_init (ChanceryWrapBox *self)
{
}
