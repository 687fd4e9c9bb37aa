"""Built-in stories in Russian and Spanish, for the personas of agencies that publish in those
languages (TASS Russian, RIA, Interfax, Prensa Latina). Written for the simulator in wire-copy
style, not copied from any outlet; each has a figure with thousands separators written the way
the language groups them ("2 800" in Russian, "2.800" in Spanish), so "number" edits work.

Several stories per language so that a persona's handful of articles are different texts: a
crawler that learns boilerplate from lines recurring across a source's articles must not see
one story's paragraphs on every page."""

from __future__ import annotations

RUSSIAN = [
    (
        "Паводок в Приамурье: из зоны подтопления эвакуированы тысячи жителей",
        "Уровень воды в реке превысил отметку опасного явления на полтора метра, сообщили в "
        "региональном управлении МЧС",
        [
            "БЛАГОВЕЩЕНСК, 14 августа. /WireSim/. Спасатели за ночь вывезли жителей нескольких "
            "прибрежных сел после того, как затяжные дожди подняли уровень воды в реке выше "
            "критической отметки. Об этом сообщили в региональном управлении МЧС.",
            "Всего из зоны подтопления эвакуированы около 3 400 человек, они размещены в пунктах "
            "временного размещения в школах и спортивных залах. Движение по ряду дорог перекрыто.",
            "«Пик паводка ожидается в ближайшие двое суток, вода продолжает прибывать», — сказал "
            "начальник управления на брифинге. По его словам, к работам привлечены более 600 "
            "спасателей и 150 единиц техники.",
            "Синоптики прогнозируют новые осадки в верховьях реки. Аграрии сообщают, что под водой "
            "оказались посевы сои и зерновых.",
            "Власти региона объявили режим чрезвычайной ситуации и пообещали выплаты пострадавшим "
            "семьям после оценки ущерба.",
        ],
    ),
    (
        "Банк России сохранил ключевую ставку и допустил ее снижение до конца года",
        "Регулятор указал на замедление инфляции, но предупредил о сохраняющихся рисках",
        [
            "МОСКВА, 26 июля. /WireSim/. Совет директоров Банка России сохранил ключевую ставку на "
            "прежнем уровне, говорится в сообщении регулятора. Решение совпало с ожиданиями "
            "большинства аналитиков.",
            "Годовая инфляция, по оценке ЦБ, замедлилась до 6,1% после 6,8% месяцем ранее. "
            "Регулятор отметил, что рост цен на услуги остается высоким.",
            "«Мы видим устойчивое замедление инфляции, однако говорить о снижении ставки на "
            "ближайшем заседании преждевременно», — заявила председатель банка на "
            "пресс-конференции.",
            "По данным регулятора, объем кредитования компаний за второй квартал вырос на 1 250 "
            "млрд рублей. Прогноз роста экономики на текущий год повышен.",
            "Следующее заседание совета директоров, на котором будет рассматриваться уровень "
            "ключевой ставки, запланировано на сентябрь.",
        ],
    ),
    (
        "На Камчатке произошло землетрясение магнитудой 6,2",
        "Угрозы цунами нет, разрушений и пострадавших не зафиксировано, сообщили сейсмологи",
        [
            "ПЕТРОПАВЛОВСК-КАМЧАТСКИЙ, 3 марта. /WireSim/. Землетрясение магнитудой 6,2 произошло "
            "утром у восточного побережья Камчатки, сообщили в региональной сейсмологической "
            "службе. Очаг находился на глубине около 40 км.",
            "Подземные толчки ощущались в краевом центре силой до пяти баллов. По данным "
            "экстренных служб, в первые часы поступило более 1 200 звонков от жителей.",
            "«Угроза цунами не объявлялась, повреждений зданий не выявлено», — сказал "
            "представитель оперативного штаба. Специалисты обследуют школы и больницы.",
            "Сейсмологи не исключают повторных толчков меньшей силы в ближайшие дни. Жителей "
            "попросили сохранять спокойствие и следить за сообщениями властей.",
        ],
    ),
]

SPANISH = [
    (
        "Lluvias intensas obligan a evacuar a miles de familias en el oriente cubano",
        "Las autoridades de defensa civil activaron los planes de protección ante la crecida de "
        "los ríos",
        [
            "SANTIAGO DE CUBA, 12 jun (WireSim) Las intensas lluvias de los últimos tres días "
            "obligaron a evacuar a residentes de zonas bajas de varias provincias orientales, "
            "informó hoy la Defensa Civil.",
            "Según el reporte oficial, unas 4.300 personas fueron trasladadas a centros de "
            "evacuación y a viviendas de familiares. Varias carreteras permanecen cerradas.",
            "\"El nivel de los embalses sigue en aumento y mantenemos la vigilancia las 24 horas\", "
            "declaró el jefe del consejo de defensa provincial a la prensa.",
            "Los meteorólogos pronostican nuevas precipitaciones durante el fin de semana, aunque "
            "de menor intensidad. Los productores reportan daños en cultivos de plátano y café.",
            "Las autoridades locales anunciaron que evaluarán las afectaciones a viviendas e "
            "infraestructura una vez que bajen las aguas.",
        ],
    ),
    (
        "Parlamento aprueba nueva ley de protección a los consumidores",
        "La norma establece plazos para las reclamaciones y sanciones a los proveedores que "
        "incumplan",
        [
            "LA HABANA, 18 jul (WireSim) La Asamblea Nacional aprobó este jueves la ley de "
            "protección a los consumidores, tras dos años de consultas con especialistas y "
            "organizaciones sociales.",
            "De acuerdo con el texto, los proveedores deberán responder a las reclamaciones en un "
            "plazo de 30 días. Durante la consulta se recibieron más de 2.100 propuestas.",
            "\"Esta ley pone en el centro los derechos de las personas\", afirmó la presidenta de "
            "la comisión de asuntos económicos durante el debate.",
            "La norma entrará en vigor seis meses después de su publicación en la Gaceta Oficial, "
            "precisaron fuentes del Parlamento.",
        ],
    ),
    (
        "Cancilleres de la región debaten en Caracas sobre integración energética",
        "El encuentro busca acuerdos para ampliar el comercio de electricidad entre los países "
        "miembros",
        [
            "CARACAS, 5 mar (WireSim) Ministros de Relaciones Exteriores de una decena de países "
            "iniciaron hoy en esta capital una reunión dedicada a la integración energética "
            "regional.",
            "Los participantes analizarán proyectos de interconexión eléctrica con una inversión "
            "estimada de 1.800 millones de dólares, según fuentes de la organización.",
            "\"La cooperación energética es clave para el desarrollo de nuestros pueblos\", dijo el "
            "canciller anfitrión en la sesión inaugural.",
            "La reunión concluirá el viernes con la firma de una declaración conjunta, de acuerdo "
            "con el programa oficial divulgado por los organizadores.",
        ],
    ),
]

UKRAINIAN = [
    (
        "У Дніпрі рятувальники ліквідували пожежу на складі, евакуйовано сотні людей",
        "Вогонь охопив площу понад дві тисячі квадратних метрів, постраждалих немає, повідомили "
        "в ДСНС",
        [
            "ДНІПРО, 29 вересня. /WireSim/. Рятувальники за кілька годин ліквідували пожежу на "
            "складі в промисловій зоні міста, повідомили в обласному управлінні ДСНС.",
            "З прилеглих будинків і підприємств евакуювали близько 1 400 людей. До гасіння "
            "залучили понад 80 рятувальників і 20 одиниць техніки.",
            "«Загрози поширення вогню на житлові квартали немає», — сказав начальник управління "
            "на брифінгу. Причини пожежі встановлюють фахівці.",
            "Поліція відкрила кримінальне провадження за фактом порушення правил пожежної "
            "безпеки.",
        ],
    ),
    (
        "Уряд ухвалив програму підтримки фермерів на наступний рік",
        "Фінансування програми становитиме кілька мільярдів гривень, повідомили в міністерстві",
        [
            "КИЇВ, 14 листопада. /WireSim/. Кабінет міністрів ухвалив програму державної "
            "підтримки фермерських господарств, повідомили в міністерстві аграрної політики.",
            "Програма передбачає компенсацію частини вартості техніки та пільгові кредити. За "
            "оцінками міністерства, скористатися нею зможуть понад 12 500 господарств.",
            "«Ми розраховуємо, що підтримка допоможе зберегти посівні площі», — заявив міністр "
            "на засіданні уряду.",
            "Прийом заявок розпочнеться в січні, уточнили в міністерстві.",
        ],
    ),
]
